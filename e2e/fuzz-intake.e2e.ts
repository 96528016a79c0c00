import { fileURLToPath } from 'node:url';
import type { Browser, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fuzzCases } from '../src/security/fuzz-cases';
import { loadFixtures } from '../src/security/fuzz-runner';
import { launchBrowser } from './support/browser';
import { watchCsp } from './support/csp-watch';

const baseURL = inject('baseURL');
const dir = fileURLToPath(new URL('./fixtures/imaging/', import.meta.url));
/** The browser batch: fewer than the Node run (src/imaging/fuzz.test.ts), another seed. */
const COUNT = Number(process.env.FUZZ_BROWSER_CASES ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128) + 1;
const GOOD = 'gray8.png';

type Outcome = 'shown' | 'refused';

/** Waits until the intake either shows `name` or refuses it with a message naming it. */
async function outcomeOf(page: Page, name: string, timeout = 30_000): Promise<{ outcome: Outcome; message: string }> {
  const handle = await page.waitForFunction(
    (n) => {
      const error = document.querySelector('[data-testid="intake-error"]')?.textContent ?? '';
      if (error.includes(n)) return { outcome: 'refused', message: error };
      const shown =
        document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n &&
        !!document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.imageRect &&
        !document.querySelector('[data-testid="intake-status"]');
      return shown ? { outcome: 'shown', message: '' } : false;
    },
    name,
    { timeout, polling: 100 },
  );
  return (await handle.jsonValue()) as { outcome: Outcome; message: string };
}

async function canvasMean(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas.cornerstone-canvas')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i]!;
    return sum / (data.length / 4);
  });
}

async function open(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.getByLabel('Open image').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

describe('intake fuzzing in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());

  it(`a decode that hangs is stopped after 20 s and reported, the worker is started afresh, and ${COUNT} malformed files never lose the open image`, async () => {
    const context = await browser.newContext();
    const csp = await watchCsp(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const decodeWorkers: Worker[] = [];
    const closed: string[] = [];
    page.on('worker', (w) => {
      if (!/decode\.worker/.test(w.url())) return;
      decodeWorkers.push(w);
      w.on('close', () => closed.push(w.url()));
    });
    // The decode worker, wrapped: a file whose name contains "hang" is never answered, as if the
    // decoder were stuck in a loop. Everything else goes to the real worker code.
    await context.route(/\/assets\/decode\.worker-[\w-]+\.js$/, async (route) => {
      const real = await route.fetch();
      const path = new URL(route.request().url()).pathname;
      const body =
        `import '${path}?real';\n` +
        `const real = self.onmessage;\n` +
        `self.onmessage = (e) => { if (!String(e.data && e.data.name).includes('hang')) return real.call(self, e); };\n`;
      await route.fulfill({ response: real, body });
    });
    await page.goto(baseURL);
    await page.setViewportSize({ width: 1280, height: 720 });
    const fixtures = loadFixtures(dir);
    const good = fixtures.find((f) => f.name === GOOD)!.bytes;

    await open(page, GOOD, good);
    expect((await outcomeOf(page, GOOD)).outcome).toBe('shown');
    const before = await canvasMean(page);

    // 1. A hang: reported after the decoder's 20 s limit, the open image kept, the worker replaced.
    const t0 = Date.now();
    await open(page, 'hang.dcm', fixtures.find((f) => f.name === 'dcm-gray8.dcm')!.bytes);
    expect(await page.evaluate(() => 1 + 1)).toBe(2); // the page answers meanwhile
    const hang = await outcomeOf(page, 'hang.dcm', 40_000);
    const waited = Date.now() - t0;
    expect(hang.outcome).toBe('refused');
    expect(hang.message).toContain('hang.dcm took longer than 20 s to decode and was stopped; the file may be damaged.');
    expect(waited).toBeGreaterThanOrEqual(19_000);
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe(GOOD);
    expect(await canvasMean(page)).toBeCloseTo(before, 5);
    await expect.poll(() => closed.length, { timeout: 5_000 }).toBe(1);

    // 2. The malformed files: each is refused with a message naming it (or shown, if it still
    // decodes); a refused one leaves the last good image in place.
    const cases = fuzzCases(fixtures, COUNT, SEED);
    const tally: Record<Outcome, number> = { shown: 0, refused: 0 };
    const lost: string[] = [];
    let slowest = 0;
    for (const c of cases) {
      const t = Date.now();
      await open(page, c.name, c.bytes);
      const { outcome } = await outcomeOf(page, c.name);
      slowest = Math.max(slowest, Date.now() - t);
      tally[outcome]++;
      if (outcome === 'refused') {
        const file = await page.locator('[data-testid="metadata"] [data-field="file"]').textContent();
        const mean = await canvasMean(page);
        if (file !== GOOD || Math.abs(mean - before) > 1e-6) lost.push(`#${c.index} ${c.label}: now showing ${file} (mean ${mean} vs ${before})`);
      } else {
        // It opened: go back to the good image for the next case.
        await open(page, GOOD, good);
        expect((await outcomeOf(page, GOOD)).outcome).toBe('shown');
      }
    }
    console.log(`browser intake fuzz: ${COUNT} cases (seed ${SEED}): ${tally.refused} refused, ${tally.shown} shown; slowest ${slowest} ms; hang stopped after ${waited} ms; ${decodeWorkers.length} decode workers started`);
    expect(lost).toEqual([]);
    // The replacement worker did the decoding after the hang.
    expect(decodeWorkers.length).toBe(2);
    expect(csp.violations).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
