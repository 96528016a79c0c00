import { describe, expect, it } from 'vitest';
import { hasJspi, ORT_RUNTIME_FILES, ortBuildForBrowser } from './ort-env';

describe("choosing ORT's browser build", () => {
  it('sees JSPI only where both halves of its API exist', () => {
    const fn = () => {};
    expect(hasJspi({ Suspending: fn, promising: fn })).toBe(true);
    expect(hasJspi({ Suspending: fn })).toBe(false);
    expect(hasJspi({ promising: fn })).toBe(false);
    expect(hasJspi({})).toBe(false);
    // This Node has no JSPI, so it gets the asyncify build.
    expect(ortBuildForBrowser(undefined)).toBe(hasJspi() ? 'jspi' : 'asyncify');
  });

  it('takes a forced build and ignores anything else', () => {
    expect(ortBuildForBrowser('asyncify')).toBe('asyncify');
    expect(ortBuildForBrowser('jspi')).toBe('jspi');
    expect(ortBuildForBrowser('jsep')).toBe(ortBuildForBrowser(undefined));
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
