import type { OrtModule } from '../selftest/ort-selftest';

/**
 * Points ORT at its runtime files under /ort/ (see vite.config.ts) and sizes its wasm thread
 * pool. Threads need cross-origin isolation; without it ORT must be told to use one.
 */
export function configureOrtForBrowser(ort: OrtModule, base: string): void {
  ort.env.wasm.wasmPaths = {
    mjs: new URL(`${base}ort/ort-wasm-simd-threaded.asyncify.mjs`, location.href).href,
    wasm: new URL(`${base}ort/ort-wasm-simd-threaded.asyncify.wasm`, location.href).href,
  };
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
}
