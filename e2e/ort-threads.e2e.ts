import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { expectGoldenReport } from './support/golden-report';
import { openPanel, waitForModel } from './support/reading-room';
import { serveBuilt, type ServedBuild } from './support/serve-build';

const baseURL = inject('baseURL');
const ORT_VERSION = JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/onnxruntime-web/package.json', import.meta.url)), 'utf8')).version as string;

/**
 * A host that isolates the page but serves ORT's runtime without COEP (as `npm start` did before
 * its /ort/ route sent it): the browser blocks ORT's thread workers, which would leave session
 * creation waiting forever with no error.
 */
function withoutHeaders(name: string, drop: string[], only: (url: string) => boolean): Plugin {
  return {
    name,
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        if (only(req.url ?? '')) {
          const setHeader = res.setHeader.bind(res);
          res.setHeader = (header, value) => (drop.includes(header.toLowerCase()) ? res : setHeader(header, value));
        }
        next();
      });
    },
  };
}
const ortWithoutCoep = () => withoutHeaders('e2e-ort-without-coep', ['cross-origin-embedder-policy'], (url) => url.startsWith('/ort/'));
/** A static host that sends no isolation headers at all (GitHub Pages, for one). */
const notIsolated = () => withoutHeaders('e2e-not-isolated', ['cross-origin-embedder-policy', 'cross-origin-opener-policy'], () => true);

describe("ORT's wasm threads", () => {
  let browser: Browser;
  let withoutCoep: ServedBuild;
  let plain: ServedBuild;
  beforeAll(async () => {
    withoutCoep = await serveBuilt(inject('distDir'), [ortWithoutCoep()]);
    plain = await serveBuilt(inject('distDir'), [notIsolated()]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await withoutCoep?.close();
    await plain?.close();
  });

  it('start as a pool where the server sends ORT with COEP, as the app is served', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await waitForModel(page);
    await openPanel(page, 'device');
    expect(await page.getByTestId('wasm-threads').textContent()).toMatch(/^yes, (\d+) logical cores; ONNX Runtime uses [2-4]$/);
    await context.close();
  });

  it('are one, with the reason shown, where the server would have the browser block them; the model loads and writes the golden report', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await page.goto(withoutCoep.baseURL);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const loader = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, coep: res.headers.get('cross-origin-embedder-policy') };
    }, `/ort/${ORT_VERSION}/ort-wasm-simd-threaded.jspi.mjs`);
    expect(loader).toEqual({ status: 200, coep: null });
    await waitForModel(page, 120_000);
    await openPanel(page, 'device');
    expect(await page.getByTestId('wasm-threads').textContent()).toMatch(
      /^one: ONNX Runtime cannot start its threads here; the server sends \/ort\/[\d.]+\/ort-wasm-simd-threaded\.jspi\.mjs without a Cross-Origin-Embedder-Policy header/,
    );
    expect(warnings.some((w) => w.startsWith('ONNX Runtime runs on one thread: the server sends /ort/'))).toBe(true);
    await expectGoldenReport(page);
    await context.close();
  }, 300_000);

  it('are one on a host that does not isolate the page at all, and the app still writes the golden report', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(plain.baseURL);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await waitForModel(page, 120_000);
    await openPanel(page, 'device');
    expect(await page.getByTestId('wasm-threads').textContent()).toBe(
      'one: ONNX Runtime cannot start its threads here; the page is not cross-origin isolated, so WebAssembly has no shared memory',
    );
    await expectGoldenReport(page);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
