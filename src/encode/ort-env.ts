import type { OrtModule } from '../selftest/ort-selftest';

/**
 * Which of ORT's WebGPU builds a browser runs. Both carry the native WebGPU EP and the CPU EP and
 * differ in how wasm waits for the GPU:
 * - 'jspi': JS Promise Integration (WebAssembly.Suspending / promising; Chromium 137 and later).
 *   Its wasm is 16.7 MB against asyncify's 26.8 MB, compiles in less time, and runs faster with
 *   no asyncify instrumentation: in headless Chromium, demo model on wasm, sessions 4.2 s vs 6.0 s,
 *   later images 125 vs 140 ms, median of 6 fresh browsers each (docs/benchmarks.md).
 * - 'asyncify': for browsers without JSPI.
 */
export type OrtWebBuild = 'jspi' | 'asyncify';

/** The runtime files of each build, as named in onnxruntime-web/dist; served under /ort/<version>/. */
export const ORT_RUNTIME_FILES: Record<OrtWebBuild, { mjs: string; wasm: string }> = {
  jspi: { mjs: 'ort-wasm-simd-threaded.jspi.mjs', wasm: 'ort-wasm-simd-threaded.jspi.wasm' },
  asyncify: { mjs: 'ort-wasm-simd-threaded.asyncify.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm' },
};

/** Whether this JavaScript engine has JSPI as ORT's JSPI build calls it. */
export function hasJspi(wasm: object = WebAssembly): boolean {
  const w = wasm as { Suspending?: unknown; promising?: unknown };
  return typeof w.Suspending === 'function' && typeof w.promising === 'function';
}

/**
 * The build for this browser: JSPI where it has it, unless the app was built with
 * VITE_ORT_BUILD=asyncify (the e2e test of the fallback: Chromium's JSPI cannot be switched off).
 */
export function ortBuildForBrowser(forced: string | undefined = import.meta.env.VITE_ORT_BUILD, wasm: object = WebAssembly): OrtWebBuild {
  if (forced === 'asyncify' || forced === 'jspi') return forced;
  return hasJspi(wasm) ? 'jspi' : 'asyncify';
}

/** Loads the build this browser runs (a dynamic import: each build is its own chunk) and sets it up. */
export async function loadOrtForBrowser(base: string): Promise<{ ort: OrtModule; build: OrtWebBuild }> {
  const build = ortBuildForBrowser();
  const ort = (build === 'jspi' ? await import('onnxruntime-web/jspi') : await import('onnxruntime-web/webgpu')) as unknown as OrtModule;
  configureOrtForBrowser(ort, base, build);
  return { ort, build };
}

/**
 * Points ORT at its runtime files under /ort/<its version>/ (see vite.config.ts) and sizes its
 * wasm thread pool. Threads need cross-origin isolation; without it ORT must be told to use one.
 */
export function configureOrtForBrowser(ort: OrtModule, base: string, build: OrtWebBuild): void {
  const files = ORT_RUNTIME_FILES[build];
  const dir = `${base}ort/${ort.env.versions.web}/`;
  ort.env.wasm.wasmPaths = {
    mjs: new URL(`${dir}${files.mjs}`, location.href).href,
    wasm: new URL(`${dir}${files.wasm}`, location.href).href,
  };
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
}
