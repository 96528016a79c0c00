import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { llama2Tokenizer } from '../src/generate/test-tokenizer';
import { launchBrowser } from './support/browser';
import { firstVisit } from './support/first-visit';
import { openAndGenerate, openPanel, setSettings, waitForIdle, waitForModel } from './support/reading-room';
import { buildAndServe, type ServedBuild } from './support/serve-build';

const golden = JSON.parse(readFileSync(fileURLToPath(new URL('../models/tiny/golden/golden.json', import.meta.url)), 'utf8'));
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

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
    await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: golden.maxNewTokensPerTurn });
    await openAndGenerate(page, SAMPLE);
    await waitForIdle(page);
    const tokenizer = await llama2Tokenizer();
    expect(await page.getByRole('textbox', { name: 'Report', exact: true }).inputValue()).toBe(tokenizer.decode(golden.report.greedy));
    await context.close();
  }, 600_000);
});
