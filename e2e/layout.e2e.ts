import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeAudit } from './support/axe';
import { launchBrowser } from './support/browser';
import { closePanel, openPanel, setSettings, waitForIdle, waitForModel, waitForVerdict } from './support/reading-room';

const baseURL = inject('baseURL');
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
// `SAVE_SCREENSHOTS=1 npx vitest run --project e2e e2e/layout.e2e.ts` refreshes e2e/screenshots/.
const save = process.env.SAVE_SCREENSHOTS === '1';

/**
 * The reading room: no page scrolling; the viewer fills the left pane at full height; the report,
 * its Generate button and the chat input are on screen beside it; nothing overlaps.
 */
async function checkLayout(page: Page, state: string) {
  const r = await page.evaluate(() => {
    const box = (sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const b = el.getBoundingClientRect();
      return { left: b.left, right: b.right, top: b.top, bottom: b.bottom, height: b.height, width: b.width };
    };
    const generate = Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Generate report');
    const g = generate?.getBoundingClientRect();
    return {
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
      innerWidth,
      innerHeight,
      main: box('main.reading-room'),
      viewer: box('.viewer-column'),
      viewport: box('[data-testid="viewport"]'),
      report: box('.report-column'),
      textarea: box('textarea[aria-label="Report"]'),
      chatInput: box('input[aria-label="Ask a follow-up question"]'),
      generate: g ? { bottom: g.bottom, right: g.right } : null,
    };
  });
  const where = `${state} at ${r.innerWidth}x${r.innerHeight}`;
  expect(r.scrollWidth, where).toBeLessThanOrEqual(r.innerWidth);
  expect(r.scrollHeight, where).toBeLessThanOrEqual(r.innerHeight);
  const overlap = (a: typeof r.viewer, b: typeof r.viewer) => !!a && !!b && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  expect(overlap(r.viewer, r.report), where).toBe(false);
  // The viewer is the left pane, at the main area's full height.
  expect(r.viewer!.left, where).toBeLessThan(r.report!.left);
  expect(r.viewer!.bottom, where).toBeGreaterThan(r.main!.bottom - 2);
  expect(r.viewport!.height, where).toBeGreaterThan(0.55 * r.innerHeight);
  expect(r.viewport!.bottom, where).toBeGreaterThan(r.main!.bottom - 40);
  expect(r.viewport!.width, where).toBeGreaterThan(0.4 * r.innerWidth);
  for (const el of [r.textarea, r.chatInput, r.generate]) {
    expect(el, where).not.toBeNull();
    expect(el!.right, where).toBeLessThanOrEqual(r.innerWidth);
    expect(el!.bottom, where).toBeLessThanOrEqual(r.innerHeight);
  }
  expect(r.textarea!.width, where).toBeGreaterThan(250);
  expect(r.textarea!.height, where).toBeGreaterThan(100);
  expect(r.chatInput!.width, where).toBeGreaterThan(150);
}

/** Layout, a WCAG 2.1 AA audit with zero violations, and (SAVE_SCREENSHOTS=1) a screenshot. */
async function checkState(page: Page, state: string, [w, h]: readonly [number, number], { layout = true } = {}) {
  if (layout) await checkLayout(page, state);
  const violations = await axeAudit(page);
  expect(violations, `${state} at ${w}x${h}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  if (save) {
    mkdirSync(SHOTS, { recursive: true });
    // JPEG: the 4K shots as PNG would be ~1.5 MB each.
    await page.screenshot({ path: `${SHOTS}${state}-${w}x${h}.jpg`, type: 'jpeg', quality: 80 });
  }
}

describe('reading-room layout and accessibility of every state', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  for (const size of [
    [1280, 720],
    [1920, 1080],
    [3840, 2160],
  ] as const) {
    const [w, h] = size;
    it(`model loading, empty, panels, image open, streaming, error and offline at ${w}x${h}`, async () => {
      const context = await browser.newContext({ viewport: { width: w, height: h } });
      // The model load hangs on one file, as on a slow connection, so "loading" holds still.
      await context.route('**/models/cxr-llava-tiny/decoder.onnx', () => {});
      const page = await context.newPage();
      await page.goto(baseURL);
      await page.waitForFunction(() => document.querySelector('[data-testid="model-load-status"]')?.getAttribute('data-status') === 'loading', undefined, { timeout: 60_000 });
      await checkState(page, 'model-loading', size);

      await context.unroute('**/models/cxr-llava-tiny/decoder.onnx');
      await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: 4096 });
      await openPanel(page, 'model');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Load model' }).click();
      await waitForModel(page);
      await openPanel(page, 'device');
      await openPanel(page, 'image-info');
      await openPanel(page, 'keys');
      // Panels open: the main flow stays on screen beside them.
      await checkState(page, 'panels', size);
      for (const id of ['model', 'device', 'image-info', 'settings', 'keys'] as const) await closePanel(page, id);
      await checkState(page, 'empty', size);

      await page.getByRole('button', { name: 'Open the sample radiograph' }).click();
      const generate = page.getByRole('button', { name: 'Generate report' });
      await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
      await checkState(page, 'image-open', size);

      // A length drawn on the image (Measure), then a cardiothoracic ratio (CTR: the heart's width,
      // then the chest's), with the lines that say what they are in and the ratio.
      const vp = (await page.getByTestId('viewport').boundingBox())!;
      const drawAcross = async ([x1, y1, x2, y2]: readonly [number, number, number, number]) => {
        await page.mouse.move(vp.x + x1 * vp.width, vp.y + y1 * vp.height);
        await page.mouse.down();
        await page.mouse.move(vp.x + x2 * vp.width, vp.y + y2 * vp.height, { steps: 4 });
        await page.mouse.up();
      };
      await page.getByRole('button', { name: 'Measure' }).click();
      await drawAcross([0.5, 0.2, 0.5, 0.45]);
      await page.getByRole('button', { name: 'Measure' }).click();
      await page.getByRole('button', { name: 'Cardiothoracic ratio' }).click();
      await drawAcross([0.4, 0.62, 0.63, 0.62]);
      await drawAcross([0.29, 0.56, 0.73, 0.56]);
      await expect.poll(() => page.getByTestId('measurement').count()).toBe(3);
      await page.getByTestId('cardiothoracic-ratio').waitFor();
      await checkState(page, 'lengths', size);
      await page.getByRole('button', { name: 'Clear lengths' }).click();

      await generate.click();
      await page.waitForFunction(() => (document.querySelector('textarea[aria-label="Report"]') as HTMLTextAreaElement | null)?.value.length, undefined, { timeout: 60_000 });
      await checkState(page, 'streaming', size);
      expect(await page.getByRole('textbox', { name: 'Report', exact: true }).getAttribute('data-streaming')).toBe('true');
      await page.getByRole('button', { name: 'Stop' }).click();
      await waitForIdle(page);

      // An error: a file that is not an image; the open study stays.
      await page.getByLabel('Open image').setInputFiles({ name: 'notes.dcm', mimeType: 'application/dicom', buffer: Buffer.from('this is not a DICOM file at all') });
      await page.getByTestId('intake-error').waitFor();
      await checkState(page, 'error', size);

      await context.setOffline(true);
      await expect.poll(() => page.getByTestId('network-status').getAttribute('data-online')).toBe('false');
      await checkState(page, 'offline', size);
      await context.close();
    }, 420_000);
  }

  it('keeps the image still at 1280x720 while the model loads, the self-check runs and a report is written', async () => {
    // A new user drops a radiograph while the model is still loading; the report is drafted when
    // it is ready. Every status on the way (the status line full of figures, the badges, the
    // model state) must fit where it is: a line more anywhere takes height from the viewer, and
    // the image is redrawn at another size under the reader's eyes.
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(baseURL);
    await page.getByRole('button', { name: 'Open the sample radiograph' }).click();
    await page.waitForFunction(() => !!document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.imageRect, undefined, { timeout: 60_000 });
    await page.evaluate(() => {
      const sizes: string[] = [];
      (window as unknown as { __sizes: string[] }).__sizes = sizes;
      const vp = document.querySelector<HTMLElement>('[data-testid="viewport"]')!;
      const footer = document.querySelector<HTMLElement>('[data-testid="status-line"]')!;
      const note = () => {
        const s = `viewport ${vp.clientWidth}x${vp.clientHeight}`;
        if (sizes.at(-1)?.startsWith(s)) return;
        sizes.push(`${s} (status line ${footer.offsetHeight} px: "${footer.textContent}")`);
      };
      note();
      new ResizeObserver(note).observe(vp);
    });
    await waitForModel(page);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    await expect.poll(() => report.inputValue(), { timeout: 120_000 }).not.toBe('');
    await waitForIdle(page);
    await waitForVerdict(page);
    const sizes = await page.evaluate(() => (window as unknown as { __sizes: string[] }).__sizes);
    expect(sizes, sizes.join('\n')).toHaveLength(1);
    await context.close();
  }, 300_000);
});
