import type { BrowserContext, ConsoleMessage, Page, Response, Worker } from 'playwright-core';

const PREFIX = 'CSP violation:';

/**
 * Collects every Content-Security-Policy violation in a browser context: the page's and each
 * worker's `securitypolicyviolation` events (logged with a prefix) and Chromium's own console
 * reports ("... violates the following Content Security Policy directive ..."), from pages and
 * workers alike. Call before the first navigation.
 */
export async function watchCsp(context: BrowserContext): Promise<{ violations: string[] }> {
  const violations: string[] = [];
  const onConsole = (where: string) => (m: ConsoleMessage) => {
    const text = m.text();
    if (text.startsWith(PREFIX) || /Content Security Policy/i.test(text)) violations.push(`${where}: ${text}`);
  };
  const seen = new WeakSet<ConsoleMessage>();
  const once = (where: string) => {
    const handle = onConsole(where);
    return (m: ConsoleMessage) => {
      if (seen.has(m)) return;
      seen.add(m);
      handle(m);
    };
  };
  context.on('console', once('context'));
  const watchWorker = (w: Worker) => {
    w.on('console', once(`worker ${w.url()}`));
    void w
      .evaluate((prefix) => {
        self.addEventListener('securitypolicyviolation', (e) => console.error(`${prefix} ${e.violatedDirective} blocked ${e.blockedURI} in ${e.sourceFile}:${e.lineNumber}`));
      }, PREFIX)
      .catch(() => {}); // the worker may already be gone
  };
  const watchPage = (page: Page) => {
    page.on('worker', watchWorker);
    page.on('console', once('page'));
  };
  context.on('page', watchPage);
  for (const page of context.pages()) watchPage(page);
  await context.addInitScript((prefix) => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`${prefix} ${e.violatedDirective} blocked ${e.blockedURI} in ${e.sourceFile}:${e.lineNumber}`));
  }, PREFIX);
  return { violations };
}

/** The policy a page runs under: its document response's header and its <meta> tag. */
export async function pagePolicy(page: Page, doc: Response | null): Promise<{ header: string | null; meta: string | null }> {
  const meta = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null);
  return { header: (await doc?.allHeaders())?.['content-security-policy'] ?? null, meta };
}
