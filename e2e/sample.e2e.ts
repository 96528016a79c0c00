import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { canvasStats } from './support/viewport';

const baseURL = inject('baseURL');
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

/** Waits until the viewer shows an image and the intake is done; `withNote` tells the sample from the same file opened by hand. */
async function waitShown(page: Page, withNote: boolean): Promise<void> {
  await page.waitForFunction(
    (note) => {
      const vp = document.querySelector<HTMLElement>('[data-testid="viewport"]');
      const notes = document.querySelector('[data-testid="image-notes"]')?.textContent ?? '';
      return vp?.dataset.hasImage === 'true' && !!vp.dataset.imageRect && !document.querySelector('[data-testid="intake-status"]') && notes.includes('CC BY-NC 4.0') === note;
    },
    withNote,
    { timeout: 60_000 },
  );
}

describe('the sample radiograph', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('opens from its button with the same pixels as the file itself, and says whose it is', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(baseURL);
    await page.getByRole('button', { name: 'Open the sample radiograph' }).click();
    await waitShown(page, true);
    expect(await page.getByTestId('viewer-status').textContent()).toContain('1024×1024');
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe('cxr-sample.jpg');
    expect(await page.getByTestId('image-notes').textContent()).toContain('ECOFRI/CXR_LLaVA');
    const fromButton = await canvasStats(page);
    // A radiograph, not a blank or flat canvas.
    expect(fromButton.std).toBeGreaterThan(20);

    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    await waitShown(page, false);
    const fromFile = await canvasStats(page);
    expect(fromButton.mean).toBeCloseTo(fromFile.mean, 6);
    expect(fromButton.std).toBeCloseTo(fromFile.std, 6);
    await page.close();
  }, 180_000);
});
