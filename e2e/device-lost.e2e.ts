import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { openPanel, setSettings, waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

describe('a lost GPU device', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('during generation: reported, the edited report and the chat are kept, and after reloading the model it answers again', async () => {
    // Auto never puts the model on SwiftShader (the only adapter here); this test needs WebGPU.
    const page = await browser.newPage();
    await page.addInitScript(() => localStorage.setItem('cxr-llava-settings-v1', JSON.stringify({ executionProvider: 'webgpu' })));
    await page.goto(`${baseURL}?test-hooks`);
    await waitForModel(page);
    expect(await page.getByTestId('model-load-status').textContent()).toContain('onnx · webgpu');
    await setSettings(page, { temperature: 0, maxNewTokens: 2 });
    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    const generate = page.getByRole('button', { name: 'Generate report' });
    await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
    await generate.click();
    await waitForIdle(page, 300_000);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    await report.press('End');
    await report.type(' EDITED BY RADIOLOGIST');
    const edited = await report.inputValue();

    await page.getByLabel('Max new tokens').fill('300');
    await page.getByLabel('Ask a follow-up question').fill('Is there a pneumothorax?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await expect.poll(() => page.locator('[data-role="assistant"] .text').last().textContent(), { timeout: 300_000 }).not.toMatch(/^(…)?$/);
    await page.evaluate(() => (window as unknown as { __cxrTestHooks: { destroyGpuDevice(): Promise<void> } }).__cxrTestHooks.destroyGpuDevice());

    const status = page.getByTestId('model-load-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 30_000 }).toBe('failed');
    expect(await status.textContent()).toMatch(/GPU device was lost.*report and chat are kept/);
    expect(await report.inputValue()).toBe(edited);
    expect(await page.locator('[data-role="user"] .text').last().textContent()).toBe('Is there a pneumothorax?');

    // Load again (a new worker, a new device) and continue the same conversation.
    await page.getByLabel('Max new tokens').fill('2');
    await openPanel(page, 'model');
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModel(page, 300_000);
    await page.getByLabel('Ask a follow-up question').fill('Any effusion?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-role="assistant"][data-streaming="false"]').length === 2, undefined, { timeout: 300_000 });
    expect((await page.locator('[data-role="assistant"] .text').last().textContent())?.length).toBeGreaterThan(0);
    expect(await report.inputValue()).toBe(edited);
  }, 900_000);
});

describe('a GPU that does not answer', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('a device request that never answers fails the load after 30 s with what to do, and wasm then loads', async () => {
    // The browser's requestDevice, in the inference worker, made to wait forever (as driver and
    // browser bugs have made it): the worker's script gets one line in front.
    const context = await browser.newContext({ serviceWorkers: 'block' });
    await context.route(/\/assets\/inference\.worker-[^/]*\.js$/, async (route) => {
      const response = await route.fetch();
      const hang = 'GPUAdapter.prototype.requestDevice = function () { return new Promise(() => {}); };\n';
      await route.fulfill({ response, body: hang + (await response.text()) });
    });
    const page = await context.newPage();
    await page.addInitScript(() => localStorage.setItem('cxr-llava-settings-v1', JSON.stringify({ executionProvider: 'webgpu' })));
    const t0 = Date.now();
    await page.goto(baseURL);
    const status = page.getByTestId('model-load-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('failed');
    const waited = Date.now() - t0;
    expect(await status.textContent()).toContain(
      'The browser did not answer a WebGPU request for a device in 30 s. Restart the browser; if it happens again, check chrome://gpu, or choose wasm in Settings.',
    );
    expect(waited).toBeGreaterThanOrEqual(30_000);

    await setSettings(page, { provider: 'wasm' });
    await openPanel(page, 'model');
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModel(page);
    expect(await status.textContent()).toContain('onnx · wasm');
    console.log(`a device request that never answers: the load failed after ${waited} ms`);
    await context.close();
  }, 300_000);
});
