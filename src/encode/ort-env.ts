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

/** ORT's wasm thread pool as configured, and why it has one thread when it has. */
export interface OrtThreads {
  count: number;
  /** Why ORT runs on one thread; null where it has its pool. */
  singleThreadReason: string | null;
}

/** Loads the build this browser runs (a dynamic import: each build is its own chunk) and sets it up. */
export async function loadOrtForBrowser(base: string): Promise<{ ort: OrtModule; build: OrtWebBuild; threads: OrtThreads }> {
  const build = ortBuildForBrowser();
  const ort = (build === 'jspi' ? await import('onnxruntime-web/jspi') : await import('onnxruntime-web/webgpu')) as unknown as OrtModule;
  const threads = await configureOrtForBrowser(ort, base, build);
  return { ort, build, threads };
}

/**
 * Points ORT at its runtime files (under /ort/<its version>/, see vite.config.ts, unless `files`
 * names others) and sizes its wasm thread pool (ortThreads).
 */
export async function configureOrtForBrowser(ort: OrtModule, base: string, build: OrtWebBuild, files?: { mjs: string; wasm: string }): Promise<OrtThreads> {
  const dir = `${base}ort/${ort.env.versions.web}/`;
  const paths = files ?? {
    mjs: new URL(`${dir}${ORT_RUNTIME_FILES[build].mjs}`, location.href).href,
    wasm: new URL(`${dir}${ORT_RUNTIME_FILES[build].wasm}`, location.href).href,
  };
  ort.env.wasm.wasmPaths = paths;
  const threads = await ortThreads(paths.mjs);
  ort.env.wasm.numThreads = threads.count;
  if (threads.singleThreadReason) console.warn(`ONNX Runtime runs on one thread: ${threads.singleThreadReason}`);
  return threads;
}

/** What ortThreads reads from its page or worker; a parameter so that tests can vary it. */
export interface ThreadsHost {
  crossOriginIsolated: boolean;
  cores: number;
  fetchFn: typeof fetch;
}

const browserThreadsHost = (): ThreadsHost => ({
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  cores: navigator.hardwareConcurrency || 1,
  fetchFn: (input, init) => fetch(input, init),
});

/** The Cross-Origin-Embedder-Policy values a worker's script may carry in an isolated page. */
const ISOLATING_COEP = new Set(['require-corp', 'credentialless']);

/**
 * How many threads ORT's wasm may start. Threads need SharedArrayBuffer, so cross-origin
 * isolation. ORT starts each one as a module worker from its loader's URL, and an isolated page
 * blocks a worker whose script comes without an isolating Cross-Origin-Embedder-Policy; ORT then
 * waits for that thread forever, and session creation hangs with no error (`npm start` did this
 * before its /ort/ route sent COEP). So the loader's headers are read first (the same response
 * the workers would get, from the service worker's cache where it has it), and where they would
 * block the workers ORT runs on one thread and says why.
 */
export async function ortThreads(mjsUrl: string, host: ThreadsHost = browserThreadsHost()): Promise<OrtThreads> {
  if (!host.crossOriginIsolated) return { count: 1, singleThreadReason: 'the page is not cross-origin isolated, so WebAssembly has no shared memory' };
  const count = Math.min(4, host.cores);
  let coep: string | null;
  try {
    const res = await host.fetchFn(mjsUrl);
    // Not ours to report: ORT fails to load its runtime from this URL with its own message.
    if (!res.ok) return { count, singleThreadReason: null };
    coep = res.headers.get('cross-origin-embedder-policy');
    // Read, not cancelled: ORT imports the same file next (from the cache), and a cancelled
    // request is one the browser reports as failed.
    await res.arrayBuffer();
  } catch {
    return { count, singleThreadReason: null };
  }
  const policy = coep?.split(';')[0]!.trim().toLowerCase() ?? '';
  if (ISOLATING_COEP.has(policy)) return { count, singleThreadReason: null };
  const path = new URL(mjsUrl).pathname;
  return {
    count: 1,
    singleThreadReason: `the server sends ${path} ${coep ? `with Cross-Origin-Embedder-Policy "${coep}"` : 'without a Cross-Origin-Embedder-Policy header'}, so the browser would block ONNX Runtime's thread workers (serve it with "require-corp", as the page is)`,
  };
}
