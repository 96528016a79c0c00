import { describe, expect, it } from 'vitest';
import { hasJspi, ORT_RUNTIME_FILES, ortBuildForBrowser, ortThreads } from './ort-env';

describe("choosing ORT's browser build", () => {
  it('sees JSPI only where both halves of its API exist, and picks the build by it', () => {
    const fn = () => {};
    const jspi = { Suspending: fn, promising: fn };
    expect(hasJspi(jspi)).toBe(true);
    expect(hasJspi({ Suspending: fn })).toBe(false);
    expect(hasJspi({ promising: fn })).toBe(false);
    expect(hasJspi({})).toBe(false);
    expect(ortBuildForBrowser(undefined, jspi)).toBe('jspi');
    expect(ortBuildForBrowser(undefined, { Suspending: fn })).toBe('asyncify');
    expect(ortBuildForBrowser(undefined, {})).toBe('asyncify');
  });

  it('takes a forced build over what the engine has, and ignores any other value', () => {
    const jspi = { Suspending: () => {}, promising: () => {} };
    expect(ortBuildForBrowser('asyncify', jspi)).toBe('asyncify');
    expect(ortBuildForBrowser('jspi', {})).toBe('jspi');
    expect(ortBuildForBrowser('jsep', {})).toBe('asyncify');
    expect(ortBuildForBrowser('jsep', jspi)).toBe('jspi');
  });

  it("names files that onnxruntime-web ships, for the version the package is", async () => {
    const { existsSync, readFileSync } = await import('node:fs');
    const dist = new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url);
    for (const f of Object.values(ORT_RUNTIME_FILES)) {
      expect(existsSync(new URL(f.mjs, dist))).toBe(true);
      expect(existsSync(new URL(f.wasm, dist))).toBe(true);
    }
    // ort-env.ts asks for /ort/<ort.env.versions.web>/, vite.config.ts serves the package's version.
    const ort = await import('onnxruntime-web/webgpu');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', dist), 'utf8')) as { version: string };
    expect(ort.env.versions.web).toBe(pkg.version);
  });
});

describe("ORT's wasm threads", () => {
  const url = 'http://127.0.0.1:5173/ort/1.30.0/ort-wasm-simd-threaded.jspi.mjs';
  const served = (headers: Record<string, string>, status = 200) => {
    const asked: string[] = [];
    const fetchFn = (async (input: RequestInfo | URL) => {
      asked.push(String(input));
      return new Response('export default 1;', { status, headers });
    }) as typeof fetch;
    return { asked, fetchFn };
  };

  it('starts a pool of up to 4 when the loader comes with an isolating COEP', async () => {
    for (const coep of ['require-corp', 'credentialless', 'Require-Corp; report-to="x"']) {
      const { asked, fetchFn } = served({ 'Cross-Origin-Embedder-Policy': coep });
      expect(await ortThreads(url, { crossOriginIsolated: true, cores: 16, fetchFn })).toEqual({ count: 4, singleThreadReason: null });
      expect(asked).toEqual([url]);
    }
    const { fetchFn } = served({ 'Cross-Origin-Embedder-Policy': 'require-corp' });
    expect(await ortThreads(url, { crossOriginIsolated: true, cores: 2, fetchFn })).toEqual({ count: 2, singleThreadReason: null });
  });

  it('runs on one thread, naming the file and the header, where the browser would block the thread workers', async () => {
    const none = await ortThreads(url, { crossOriginIsolated: true, cores: 8, ...served({}) });
    expect(none.count).toBe(1);
    expect(none.singleThreadReason).toBe(
      'the server sends /ort/1.30.0/ort-wasm-simd-threaded.jspi.mjs without a Cross-Origin-Embedder-Policy header, so the browser would block ONNX Runtime\'s thread workers (serve it with "require-corp", as the page is)',
    );
    const unsafe = await ortThreads(url, { crossOriginIsolated: true, cores: 8, ...served({ 'Cross-Origin-Embedder-Policy': 'unsafe-none' }) });
    expect(unsafe.count).toBe(1);
    expect(unsafe.singleThreadReason).toMatch(/with Cross-Origin-Embedder-Policy "unsafe-none"/);
  });

  it('does not ask the server when the page is not isolated, and leaves a failed fetch to ORT', async () => {
    const { asked, fetchFn } = served({});
    expect(await ortThreads(url, { crossOriginIsolated: false, cores: 8, fetchFn })).toEqual({ count: 1, singleThreadReason: 'the page is not cross-origin isolated, so WebAssembly has no shared memory' });
    expect(asked).toEqual([]);
    expect(await ortThreads(url, { crossOriginIsolated: true, cores: 8, ...served({}, 404) })).toEqual({ count: 4, singleThreadReason: null });
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expect(await ortThreads(url, { crossOriginIsolated: true, cores: 8, fetchFn: offline })).toEqual({ count: 4, singleThreadReason: null });
  });
});
