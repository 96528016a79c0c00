import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');

/** What has the keyboard focus: its accessible label (aria-label, or the text of a button). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() : '';
  });

/** Presses Tab until the element whose label matches has the focus (fails if Tab never gets there). */
async function tabTo(page: Page, label: string | RegExp, max = 120): Promise<void> {
  const hit = (s: string) => (typeof label === 'string' ? s === label : label.test(s));
  for (let i = 0; i < max; i++) {
    if (hit(await focused(page))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${label}; last focus: ${await focused(page)}`);
}

describe('keyboard alone', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('settings, model, sample image, viewer, generate, edit, follow-up and export, without a pointer', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(baseURL);
    await waitForModel(page);

    // Settings panel: wasm, greedy, short answers; Escape closes the panel and gives focus back.
    await tabTo(page, 'Settings');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Execution provider');
    await page.keyboard.type('wasm');
    expect(await page.getByLabel('Execution provider').inputValue()).toBe('wasm');
    await tabTo(page, 'Temperature');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    await tabTo(page, 'Max new tokens');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('12');
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('panel-toggle-settings').getAttribute('aria-expanded')).toBe('false');
    expect(await focused(page)).toBe('Settings');

    // Model panel: reload on wasm.
    await tabTo(page, 'Model');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Reload model');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="model-load-status"]')?.textContent?.includes('onnx · wasm'), undefined, { timeout: 240_000 });
    await page.keyboard.press('Escape');

    await tabTo(page, 'Open the sample radiograph');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.imageRect, undefined, { timeout: 60_000 });
    // The viewer takes keys once focused: I inverts.
    await tabTo(page, /^Radiograph cxr-sample\.jpg/);
    await page.keyboard.press('i');
    await expect.poll(() => page.getByTestId('viewport').getAttribute('data-invert')).toBe('true');
    // M turns Measure on; "?" lists every key (M among them) and closes the list again.
    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('viewport').getAttribute('data-tool')).toBe('measure');
    await page.keyboard.press('?');
    const keys = page.getByTestId('keys-panel');
    await expect.poll(() => keys.isVisible()).toBe(true);
    expect(await keys.getByRole('row', { name: /^M Measure lengths/ }).count()).toBe(1);
    expect(await keys.getByRole('row', { name: /^Ctrl\+Enter Generate report$/ }).count()).toBe(1);
    await page.keyboard.press('?');
    await expect.poll(() => keys.isVisible()).toBe(false);
    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('viewport').getAttribute('data-tool')).toBe('window');

    await tabTo(page, 'Generate report');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('textbox', { name: 'Report', exact: true }).inputValue(), { timeout: 120_000 }).not.toBe('');
    await waitForIdle(page);
    await tabTo(page, 'Report');
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' Reviewed.');
    expect(await page.getByRole('textbox', { name: 'Report', exact: true }).inputValue()).toMatch(/\S Reviewed\.$/);
    // A phrase from the keyboard: Enter opens the list on its first phrase, Enter puts it in after the caret's line.
    await tabTo(page, 'Insert phrase');
    await page.keyboard.press('Enter');
    // The list takes the focus on the details' toggle event, which comes after the key.
    await expect.poll(() => focused(page)).toBe('Normal chest');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('textbox', { name: 'Report', exact: true }).inputValue()).toMatch(/\S Reviewed\.\nThe lungs are clear\. No pleural effusion or pneumothorax\./);

    await tabTo(page, 'Ask a follow-up question');
    await page.keyboard.type('Is there an effusion?');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-role="assistant"][data-streaming="false"]').length === 1, undefined, { timeout: 120_000 });
    expect(await page.locator('[data-role="user"] .text').last().textContent()).toBe('Is there an effusion?');

    await tabTo(page, 'Export .txt');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/\.txt$/);
    await context.close();
  }, 420_000);
});
