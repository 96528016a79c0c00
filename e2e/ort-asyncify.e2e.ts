import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { expectGoldenReport } from './support/golden-report';
import { firstVisit } from './support/first-visit';
import { openPanel, waitForModel } from './support/reading-room';
import { buildAndServe, type ServedBuild } from './support/serve-build';

/**
 * Browsers without JSPI get ORT's asyncify build (src/encode/ort-env.ts). Chromium's JSPI cannot
 * be switched off, so this app is built with VITE_ORT_BUILD=asyncify, which takes the same path.
 */
describe("ORT's asyncify build, for browsers without JSPI", () => {
  let served: ServedBuild;
  let browser: Browser;
  beforeAll(async () => {
    served = await buildAndServe({ define: { 'import.meta.env.VITE_ORT_BUILD': JSON.stringify('asyncify') } });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('verifies the model, is kept by the service worker on first use, and writes the golden report offline', async () => {
    const context = await browser.newContext();
    const page = await firstVisit(context, served.baseURL);
    await openPanel(page, 'device');
    expect(await page.getByTestId('ort-build').textContent()).toMatch(/^asyncify build/);
    // Not precached (a browser with JSPI never needs it): cached when first loaded.
    const cached = await page.evaluate(async () => (await (await caches.open('cxr-llava-ort-asyncify')).keys()).map((r) => new URL(r.url).pathname));
    expect(cached.sort()).toEqual([
      expect.stringMatching(/^\/ort\/[\d.]+\/ort-wasm-simd-threaded\.asyncify\.mjs$/),
      expect.stringMatching(/^\/ort\/[\d.]+\/ort-wasm-simd-threaded\.asyncify\.wasm$/),
    ]);

    await context.setOffline(true);
    await page.reload();
    await waitForModel(page);
    await expectGoldenReport(page);
    await context.close();
  }, 600_000);
});
