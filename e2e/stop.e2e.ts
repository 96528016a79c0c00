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

  it('Stop before the first word (the software adapter: seconds of encode and prefill) ends the request with nothing written', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    // Forced onto SwiftShader, which the app never picks itself: its encode and prefill take seconds.
    await setSettings(page, { provider: 'webgpu', temperature: 0, maxNewTokens: 64, draftOnOpen: false });
    await reloadModel(page);
    expect(await page.getByTestId('model-load-status').textContent()).toContain('onnx · webgpu');
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    await report.fill('Typed before asking.');
    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    const generate = page.getByRole('button', { name: 'Generate report' });
    await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
    await generate.click();
    // Asked for, waiting on the image's encode and the prompt's prefill: no word yet, Stop offered.
    const status = page.getByTestId('status-line');
    expect(await status.getAttribute('data-stage')).toBe('prefill');
    const stop = page.getByRole('button', { name: 'Stop' });
    expect(await stop.isEnabled()).toBe(true);
    await stop.click();
    await waitForIdle(page, 120_000);
    expect(await status.getAttribute('data-stage')).toBe('idle');
    // Nothing was written and nothing replaced: what was typed is there, with no version kept.
    expect(await report.inputValue()).toBe('Typed before asking.');
    expect(await page.getByLabel('Earlier versions').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 300_000);
});
