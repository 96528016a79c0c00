import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { openPanel, setSettings, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');

describe('model panel', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('shows the memory the model needs, cancels a stalled load, and loads again afterwards', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await waitForModel(page);
    expect(await page.getByTestId('memory-fit').textContent()).toMatch(/GPU memory needed: about [\d.]+ MiB .*This GPU allows buffers up to 1\.0 GiB/);
    await setSettings(page, { provider: 'wasm' });
    // Make the next load hang on one file, as a stalled connection would.
    await page.evaluate(() => caches.delete('cxr-llava-models-v1'));
    await context.route('**/models/cxr-llava-tiny/decoder.onnx', () => {});
    await openPanel(page, 'model');
    await page.getByRole('button', { name: 'Reload model' }).click();
    await expect.poll(() => page.getByTestId('model-load-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('loading');
    // Nothing moves: after a few seconds the panel says for how long, and keeps counting.
    const since = page.getByTestId('load-since-update');
    await since.waitFor({ timeout: 30_000 });
    const seconds = async () => Number((await since.textContent())!.match(/^ · (\d+) s since the last update$/)![1]);
    const first = await seconds();
    expect(first).toBeGreaterThanOrEqual(5);
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThan(first);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('model-load-status').textContent(), { timeout: 30_000 }).toMatch(/Loading was cancelled/);
    await context.unroute('**/models/cxr-llava-tiny/decoder.onnx');
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModel(page);
    expect(await page.getByTestId('model-load-status').textContent()).toContain('onnx · wasm');

    // Picking a model by manifest URL: a missing one is reported, the demo one is found again.
    await page.getByLabel('Model manifest URL').fill('/models/nothing-here/manifest.json');
    await page.getByRole('button', { name: 'Use this model' }).click();
    await expect.poll(() => page.getByTestId('model-missing').textContent()).toMatch(/nothing-here\/manifest\.json \((404|not a JSON manifest)\)/);
    await page.getByLabel('Model manifest URL').fill('/models/cxr-llava-tiny/manifest.json');
    await page.getByRole('button', { name: 'Use this model' }).click();
    await expect.poll(() => page.getByTestId('model-found').textContent()).toMatch(/Will run CXR-LLaVA tiny/);
    await context.close();
  }, 300_000);

  it('loads while the browser has not answered the request to keep its files (Firefox asks the user first)', async () => {
    const context = await browser.newContext();
    // A persistence prompt the user never answers.
    await context.addInitScript(() => {
      navigator.storage.persist = () => new Promise<boolean>(() => {});
    });
    const page = await context.newPage();
    await page.goto(baseURL);
    await waitForModel(page, 60_000);
    expect(await page.getByTestId('model-load-status').textContent()).toContain('onnx · wasm');
    await context.close();
  }, 120_000);
});
