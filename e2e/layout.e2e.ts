import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { reloadModel, setSettings, waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
// `SAVE_SCREENSHOTS=1 npx vitest run --project e2e e2e/layout.e2e.ts` refreshes e2e/screenshots/.
const save = process.env.SAVE_SCREENSHOTS === '1';

/** Nothing overlaps and nothing is cut off: no horizontal overflow, panels side by side or stacked. */
async function checkLayout(page: Page) {
  const r = await page.evaluate(() => {
    const box = (sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const b = el.getBoundingClientRect();
      return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
    };
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth,
      viewer: box('.viewer-column'),
      report: box('.report-column'),
      textarea: box('textarea[aria-label="Report"]'),
      chatInput: box('input[aria-label="Ask a follow-up question"]'),
    };
  });
  expect(r.scrollWidth).toBeLessThanOrEqual(r.innerWidth);
  const overlap = (a: typeof r.viewer, b: typeof r.viewer) => !!a && !!b && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  expect(overlap(r.viewer, r.report)).toBe(false);
  for (const el of [r.textarea, r.chatInput]) {
    expect(el).not.toBeNull();
    expect(el!.right).toBeLessThanOrEqual(r.innerWidth);
    expect(el!.right - el!.left).toBeGreaterThan(150);
  }
}

async function shot(page: Page, name: string) {
  if (!save) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}

describe('layout of the main states', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    it(`empty, loaded, streaming and error states at ${w}x${h}`, async () => {
      const page = await browser.newPage({ viewport: { width: w, height: h } });
      await page.goto(baseURL);
      await page.getByTestId('webgpu-status').waitFor();
      await checkLayout(page);
      await shot(page, `empty-${w}x${h}`);
      await waitForModel(page);
      await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: 60 });
      await reloadModel(page);
      await page.locator('details.settings > summary').click();
      await page.getByLabel('Open image').setInputFiles(SAMPLE);
      const generate = page.getByRole('button', { name: 'Generate report' });
      await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
      await checkLayout(page);
      await shot(page, `loaded-${w}x${h}`);
      await generate.click();
      await page.waitForFunction(() => (document.querySelector('textarea[aria-label="Report"]') as HTMLTextAreaElement | null)?.value.length, undefined, { timeout: 60_000 });
      await shot(page, `streaming-${w}x${h}`);
      await waitForIdle(page);
      await checkLayout(page);
      // An error state: a file that is not an image; the open study stays.
      await page.getByLabel('Open image').setInputFiles({ name: 'notes.dcm', mimeType: 'application/dicom', buffer: Buffer.from('this is not a DICOM file at all') });
      await page.getByRole('alert').first().waitFor();
      await checkLayout(page);
      await shot(page, `error-${w}x${h}`);
      await page.close();
    }, 300_000);
  }
});
