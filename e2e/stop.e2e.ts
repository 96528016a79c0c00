import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from './support/browser';
import { openAndGenerate, reloadModel, setSettings, waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

describe('Stop', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('ends a long answer at once (Escape), keeps the text, and a second generation works', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: 4096 });
    await reloadModel(page);
    await openAndGenerate(page, SAMPLE);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    await expect.poll(() => report.inputValue(), { timeout: 60_000 }).not.toBe('');
    // While the answer streams, the status line already says when its first token came.
    const status = page.getByTestId('status-line');
    expect(await status.getAttribute('data-stage')).toBe('generating');
    expect(await status.textContent()).toMatch(/first token \d+ ms/);
    await page.keyboard.press('Escape');
    const stoppedAt = Date.now();
    await waitForIdle(page, 30_000);
    // The answer may run to the context's end (~900 tokens of the tiny model: many seconds in
    // this browser even on an idle machine); a stop that waited for the end would take that long.
    // 5 s leaves room for a machine busy with other jobs.
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    const text = await report.inputValue();
    expect(text.length).toBeGreaterThan(0);
    expect(text.split(/\s+/).length).toBeLessThan(150);

    await page.getByRole('button', { name: 'Generate report' }).click();
    await waitForIdle(page, 120_000);
    expect((await report.inputValue()).length).toBeGreaterThan(text.length);
    expect(errors).toEqual([]);
  }, 300_000);
});
