import { describe, expect, it } from 'vitest';
import { hasJspi, ORT_RUNTIME_FILES, ortBuildForBrowser } from './ort-env';

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
