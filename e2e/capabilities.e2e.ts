import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from './support/browser';
import { openPanel, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');

describe('with WebGPU (SwiftShader)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: true });
  });
  afterAll(async () => browser?.close());

  it('shows the capability report and the stage plan', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    const status = page.getByTestId('webgpu-status');
    await openPanel(page, 'device');
    await status.waitFor();
    expect(await status.getAttribute('data-available')).toBe('true');
    expect(await status.textContent()).toMatch(/google · swiftshader · software fallback adapter/);
    expect(await page.getByTestId('shader-f16').textContent()).toBe('no');
    // Served with COOP/COEP, so ORT's wasm backend may use threads.
    expect(await page.getByTestId('wasm-threads').textContent()).toMatch(/^yes, \d+ logical cores/);
    // Chromium has JSPI, so the worker runs ORT's smaller JSPI build.
    expect(await page.getByTestId('ort-build').textContent()).toMatch(/^JSPI build/);
    // SwiftShader emulates the GPU on the CPU: the ONNX stages go to wasm, and the panel says why.
    expect(await page.getByTestId('plan-vision').textContent()).toMatch(/ort-wasm.*software one \(google swiftshader\).*wasm chosen/);
    expect(await page.getByTestId('plan-decoder').textContent()).toMatch(/webllm-q4f32_1.*no shader-f16.*ONNX decoder \(the demo model\) runs on wasm/i);
    // The demo model, loaded at start with the provider on 'auto', runs on wasm, not on SwiftShader.
    await waitForModel(page);
    expect(await page.getByTestId('model-load-status').textContent()).toContain('onnx · wasm');
    expect(await page.getByTestId('plan-vision').textContent()).toMatch(/ort-wasm.*software one/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs the ONNX self-test on the webgpu provider and matches wasm', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await openPanel(page, 'device');
    await page.getByRole('button', { name: 'Run GPU self-test' }).click();
    const result = page.getByTestId('selftest-result');
    await page.waitForFunction(
      () => ['done', 'failed'].includes(document.querySelector('[data-testid="selftest-result"]')?.getAttribute('data-status') ?? ''),
      undefined,
      { timeout: 90_000 },
    );
    const text = await result.textContent();
    expect(await result.getAttribute('data-status'), text ?? '').toBe('done');
    const diff = Number(await result.locator('[data-max-abs-diff]').getAttribute('data-max-abs-diff'));
    expect(diff).toBeGreaterThanOrEqual(0);
    expect(diff).toBeLessThan(1e-5);
    expect(text).toMatch(/Passed: WebGPU matches wasm/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('without WebGPU', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());

  it('says plainly what works and what does not', async () => {
    const { page } = await openPage(browser, baseURL);
    const status = page.getByTestId('webgpu-status');
    await openPanel(page, 'device');
    await status.waitFor();
    expect(await status.getAttribute('data-available')).toBe('false');
    expect(await page.getByTestId('no-webgpu').textContent()).toMatch(/still open and view images.*7B language model cannot run/);
    expect(await page.getByTestId('plan-decoder').textContent()).toMatch(/unavailable/);
    await page.close();
  });

  it('the self-test fails loudly instead of falling back to wasm', async () => {
    const { page } = await openPage(browser, baseURL);
    await openPanel(page, 'device');
    await page.getByRole('button', { name: 'Run GPU self-test' }).click();
    const result = page.getByTestId('selftest-result');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="selftest-result"]')?.getAttribute('data-status') === 'failed',
      undefined,
      { timeout: 60_000 },
    );
    expect(await result.textContent()).toMatch(/WebGPU self-test could not run/);
    await page.close();
  });
});

describe('the page shows which model it will run', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('names a model or says none was found', async () => {
    const { page } = await openPage(browser, baseURL);
    await page.locator('[data-testid="model-found"], [data-testid="model-missing"]').first().waitFor({ state: 'attached' });
    const found = await page.getByTestId('model-found').count();
    if (found) {
      expect(await page.getByTestId('model-found').textContent()).toMatch(/Will run .+cxr-llava/);
    } else {
      expect(await page.getByTestId('model-missing').textContent()).toMatch(/No model manifest was found/);
    }
    await page.close();
  });
});
