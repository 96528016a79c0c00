import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Download } from 'playwright-core';
import { createServer, loadEnv, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCsp, modelHostOrigin } from '../src/security/csp';
import { findElement } from '../src/security/fuzz-cases';
import { launchBrowser } from './support/browser';
import { pagePolicy, watchCsp } from './support/csp-watch';
import { setSettings, waitForIdle, waitForModel } from './support/reading-room';
import { recordRequests, requestOrigin } from './support/request-log';

const baseURL = inject('baseURL');
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURE = 'dcm-mono2-explicit.dcm';
const fixturePath = fileURLToPath(new URL(`./fixtures/imaging/${FIXTURE}`, import.meta.url));
/** The largest request body the app may send at all (it sends none today). */
const MAX_BODY = 512;

// What the build under test was configured with (global-setup builds with this env).
const env = loadEnv('production', ROOT, 'VITE_');
const modelHost = modelHostOrigin(env.VITE_CXR_MODEL_URL);
const allowedOrigins = new Set([new URL(baseURL).origin, ...(modelHost ? [modelHost] : [])]);

/** 16-byte slices of the file's pixel data, every 64 bytes: none may appear in anything sent. */
function pixelSlices(file: Uint8Array): Buffer[] {
  const el = findElement(file, 0x7fe0, 0x0010);
  if (!el) throw new Error(`${FIXTURE} has no pixel data`);
  const pixels = Buffer.from(file.subarray(el.valueAt, el.valueAt + el.length));
  const slices: Buffer[] = [];
  for (let at = 0; at + 16 <= pixels.length; at += 64) slices.push(pixels.subarray(at, at + 16));
  return slices;
}

describe('privacy: a whole reading session talks to no one but the app', () => {
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false }); // wasm: the quickest way through a real generation
  });
  afterAll(async () => browser?.close());

  it('opens a DICOM, loads the model, reports, answers a follow-up and exports: every request stays on the app origin, carries no image, and breaks no CSP rule', async () => {
    context = await browser.newContext({ acceptDownloads: true });
    const csp = await watchCsp(context);
    const { requests, websockets } = recordRequests(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));

    const doc = await page.goto(baseURL);
    // The page runs under the strict policy, as a header and as a <meta> tag.
    const expected = buildCsp({ delivery: 'header', modelUrl: env.VITE_CXR_MODEL_URL, extraConnectOrigins: env.VITE_CXR_CONNECT_ORIGINS });
    const policy = await pagePolicy(page, doc);
    expect(policy.header).toBe(expected);
    expect(policy.meta).toBe(buildCsp({ delivery: 'meta', modelUrl: env.VITE_CXR_MODEL_URL, extraConnectOrigins: env.VITE_CXR_CONNECT_ORIGINS }));
    expect(expected).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);

    await waitForModel(page);
    await setSettings(page, { temperature: 0, maxNewTokens: 8 });
    await page.getByLabel('Open image').setInputFiles(fixturePath);
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, FIXTURE, { timeout: 30_000 });

    const generate = page.getByRole('button', { name: 'Generate report' });
    await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
    await generate.click();
    await waitForIdle(page);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    // The tiny model's 8 tokens may be blank; the exports need some text.
    if (!(await report.inputValue()).trim()) await report.fill('No acute cardiopulmonary abnormality.');

    await page.getByLabel('Ask a follow-up question').fill('Is there a pleural effusion?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-role="assistant"][data-streaming="false"]').length >= 1, undefined, { timeout: 120_000 });

    // Every export the report panel offers (.txt, .md, FHIR, ... whatever exists).
    const exports = page.getByRole('button', { name: /^Export/ });
    const names = await exports.allTextContents();
    expect(names.length).toBeGreaterThan(0);
    for (let i = 0; i < names.length; i++) {
      const button = exports.nth(i);
      if (await button.isEnabled()) await button.click();
    }
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    for (const d of downloads) expect(await d.failure()).toBeNull();
    await page.waitForTimeout(1000); // anything sent late is still recorded
    if (process.env.PRIVACY_LOG) console.log('service workers:', await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).map((r) => r.active?.state ?? r.installing?.state ?? 'none')));
    await context.close();

    if (process.env.PRIVACY_LOG) console.log(requests.map((r) => `${r.from} ${r.method} ${r.url} ${r.body?.length ?? 0}`).join('\n'));
    // Worker requests are in the log: the model files are fetched by the inference worker.
    const urls = requests.map((r) => r.url);
    expect(urls.some((u) => u.endsWith('/decoder.onnx'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/ort/ort-wasm-simd-threaded.jsep.wasm'))).toBe(true);
    expect(urls.some((u) => /decode\.worker[^/]*\.js$/.test(u))).toBe(true);

    const foreign = requests.filter((r) => {
      const origin = requestOrigin(r.url);
      return origin !== null && !allowedOrigins.has(origin);
    });
    expect(foreign.map((r) => `${r.method} ${r.url} (${r.resourceType}, ${r.from})`)).toEqual([]);
    expect(websockets).toEqual([]);

    const file = new Uint8Array(readFileSync(fixturePath));
    const slices = pixelSlices(file);
    const withBody = requests.filter((r) => r.body && r.body.length > 0);
    expect(withBody.filter((r) => r.body!.length > MAX_BODY).map((r) => `${r.method} ${r.url}: ${r.body!.length} bytes`)).toEqual([]);
    expect(withBody.filter((r) => slices.some((s) => r.body!.includes(s))).map((r) => r.url)).toEqual([]);
    expect(requests.filter((r) => !r.url.startsWith('data:') && r.url.length > 2048).map((r) => r.url.slice(0, 120))).toEqual([]);

    expect(csp.violations).toEqual([]);
    expect(errors).toEqual([]);
    console.log(
      `privacy: ${requests.length} requests (${requests.filter((r) => r.from === 'service-worker').length} from the service worker), ` +
        `${withBody.length} with a body, all to ${[...allowedOrigins].join(' ')}; ${downloads.length} exports (${names.join(', ')}); no CSP violation`,
    );
  }, 300_000);
});

describe('the dev server sends the same policy (with its refresh preamble) and the app runs under it', () => {
  let server: ViteDevServer;
  let browser: Browser;
  const nodeEnv = process.env.NODE_ENV;
  beforeAll(async () => {
    // What `npm start` runs with, whatever NODE_ENV this test process has (Vite reads it at start).
    process.env.NODE_ENV = 'development';
    server = await createServer({ root: ROOT, mode: 'development', logLevel: 'warn', server: { host: '127.0.0.1', port: 0, strictPort: false } });
    await server.listen();
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    process.env.NODE_ENV = nodeEnv;
  });

  it('loads the page, decodes an image in the worker and finds the model with no CSP violation', async () => {
    const address = server.httpServer!.address();
    if (!address || typeof address === 'string') throw new Error('dev server has no port');
    const context = await browser.newContext();
    const csp = await watchCsp(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const doc = await page.goto(`http://127.0.0.1:${address.port}/`);
    const policy = await pagePolicy(page, doc);
    expect(policy.header).toMatch(/^default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]{43}='; /);
    expect(policy.header).toContain("frame-ancestors 'none'");
    expect(policy.meta).toBe(policy.header!.replace("; frame-ancestors 'none'", ''));
    await page.getByTestId('webgpu-status').waitFor({ state: 'attached', timeout: 90_000 });
    await page.locator('[data-testid="model-found"], [data-testid="model-missing"]').first().waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByLabel('Open image').setInputFiles(fixturePath);
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, FIXTURE, { timeout: 60_000 });
    await context.close();
    expect(csp.violations).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);
});
