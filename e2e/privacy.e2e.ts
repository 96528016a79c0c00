import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Download } from 'playwright-core';
import { createServer, loadEnv, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCsp, modelHostOrigin } from '../src/security/csp';
import { findElement } from '../src/security/fuzz-cases';
import { launchBrowser } from './support/browser';
import { pagePolicy, watchCsp } from './support/csp-watch';
import { credentialLeaks, searchStudies, signIn, type TestSignIn } from './support/dicomweb';
import { orthancRest } from './support/orthanc';
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
    // ORT's JSPI build (Chromium has JSPI), from the app's own origin.
    expect(urls.some((u) => /\/ort\/[\d.]+\/ort-wasm-simd-threaded\.jspi\.wasm$/.test(u))).toBe(true);
    expect(urls.some((u) => u.includes('asyncify'))).toBe(false);
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

  it("searches, opens and sends an SR through the app's /dicomweb proxy: every request stays on the app origin, the SR carries no pixel, and no basic or bearer credential is in a URL, the console or storage", async () => {
    // A study of its own on the test run's Orthanc (global-setup; basic auth), reached only
    // through the preview server's same-origin proxy.
    const server = inject('orthanc');
    const orthanc = orthancRest(server.url, server.authorization);
    const { instance } = await orthanc.upload(new Uint8Array(readFileSync(fixturePath)));
    const SOP = '1.2.826.0.1.3680043.9.7433.1.201';
    const STUDY = '1.2.826.0.1.3680043.9.7433.2.201';
    await orthanc.upload(
      await orthanc.modified(instance, { PatientID: 'PID-PRIV', AccessionNumber: 'ACCP', StudyInstanceUID: STUDY, SeriesInstanceUID: '1.2.826.0.1.3680043.9.7433.3.201', SOPInstanceUID: SOP }),
    );

    context = await browser.newContext();
    const csp = await watchCsp(context);
    const { requests, websockets } = recordRequests(context);
    // Where the credentials do go: the Authorization header (read here to prove they were used).
    const authorizations: string[] = [];
    context.on('request', (r) =>
      void r.headerValue('authorization').then(
        (a) => a && authorizations.push(a),
        () => {}, // asked after the context closed: nothing left to record
      ),
    );
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(baseURL);
    await setSettings(page, { draftOnOpen: false });

    // A bearer token first: this server takes basic only, so it is refused, clearly.
    const bearer: TestSignIn = { kind: 'bearer', token: `tok-${randomBytes(12).toString('base64url')}` };
    await signIn(page, bearer);
    await searchStudies(page, { patientId: 'PID-PRIV' });
    const error = page.getByTestId('study-browser').getByTestId('dicomweb-error');
    await expect.poll(() => error.getAttribute('data-code'), { timeout: 30_000 }).toBe('unauthorized');

    const basic: TestSignIn = { kind: 'basic', user: server.user, password: server.password };
    await signIn(page, basic);
    await searchStudies(page, { patientId: 'PID-PRIV' });
    await page.getByRole('button', { name: 'Open study ACCP' }).click(); // its one image opens at once
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, `DX-${SOP}.dcm`, { timeout: 60_000 });
    await page.getByRole('textbox', { name: 'Report', exact: true }).fill('Privacy: no acute disease.');
    await page.getByTestId('send-report').getByRole('button', { name: 'Send to PACS' }).click();
    await page.getByTestId('send-done').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000); // anything sent late is still recorded

    if (process.env.PRIVACY_LOG) console.log(requests.map((r) => `${r.from} ${r.method} ${r.url} ${r.body?.length ?? 0}`).join('\n'));
    const app = new URL(baseURL).origin;
    const dicomweb = requests.filter((r) => new URL(r.url).pathname.startsWith('/dicomweb/'));
    const path = (r: { url: string }) => new URL(r.url).pathname;
    // QIDO (bearer, then basic), WADO of the one image, STOW of the SR: all on the app's origin.
    expect(dicomweb.filter((r) => r.method === 'GET' && path(r) === '/dicomweb/studies').length).toBeGreaterThanOrEqual(2);
    expect(dicomweb.some((r) => r.method === 'GET' && path(r).endsWith(`/instances/${SOP}`))).toBe(true);
    const stow = dicomweb.filter((r) => r.method === 'POST');
    expect(stow.map(path)).toEqual([`/dicomweb/studies/${STUDY}`]);
    expect(dicomweb.every((r) => requestOrigin(r.url) === app)).toBe(true);
    expect(requests.filter((r) => requestOrigin(r.url) === new URL(server.url).origin)).toEqual([]); // never Orthanc itself
    expect(requests.filter((r) => requestOrigin(r.url) !== null && !allowedOrigins.has(requestOrigin(r.url)!)).map((r) => r.url)).toEqual([]);
    expect(websockets).toEqual([]);
    // The only body sent is the SR: the report's text, none of the image's pixels.
    expect(requests.filter((r) => r.body && r.body.length > 0)).toEqual(stow);
    const sr = stow[0]!.body!;
    expect(sr.includes(Buffer.from('Privacy: no acute disease.'))).toBe(true);
    expect(pixelSlices(new Uint8Array(readFileSync(fixturePath))).filter((slice) => sr.includes(slice))).toEqual([]);

    // The credentials went in the Authorization header, and nowhere else.
    expect(authorizations).toContain(`Bearer ${bearer.kind === 'bearer' ? bearer.token : ''}`);
    expect(authorizations).toContain(server.authorization);
    for (const auth of [bearer, basic]) expect(await credentialLeaks({ auth, requests, logs, page })).toEqual([]);
    expect(csp.violations).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
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
