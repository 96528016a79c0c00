// Node side of the browser benchmark: builds the bench page (src/bench/browser/bench.html) with
// the app's own Vite config, serves it with `vite preview` (COOP/COEP/CSP as the app), serves the
// files it needs from outside the build under /__bench/, launches headless Chromium the way the
// e2e tests do (e2e/support/browser.ts: SwiftShader WebGPU with --enable-unsafe-webgpu), and runs
// requests in the page's bench worker with a time limit.
import { execFileSync } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../../e2e/support/browser';
import { findChrome } from '../../../e2e/support/chrome-path';
import { buildAndServe, type ServedBuild } from '../../../e2e/support/serve-build';
import { BENCH_FILES_PREFIX, COMPARED_BUILDS, comparedBuildDir, comparedBuildFiles, type BenchProgress, type BenchRequest, type BenchResults } from './protocol';

const PAGE = 'src/bench/browser/bench.html';

/** A file served to the page: a path on disk, or bytes held in memory. */
export type BenchFile = string | Uint8Array;

function benchFiles(files: Map<string, BenchFile>): Plugin {
  return {
    name: 'cxr-bench-files',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = req.url ?? '';
        if (!url.startsWith(BENCH_FILES_PREFIX)) return next();
        const file = files.get(decodeURIComponent(url.slice(BENCH_FILES_PREFIX.length).split('?')[0]!));
        if (file === undefined) {
          res.statusCode = 404;
          res.end();
          return;
        }
        // ORT's runtime files for the build comparisons are imported as modules and compiled as wasm.
        const name = url.split('?')[0]!;
        res.setHeader('Content-Type', name.endsWith('.mjs') ? 'text/javascript' : name.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        // ORT starts its wasm threads as workers from the .mjs: under COEP a worker's script must
        // say so itself.
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        res.setHeader('Cache-Control', 'no-store');
        if (typeof file === 'string') {
          res.setHeader('Content-Length', String(statSync(file).size));
          createReadStream(file).pipe(res);
        } else {
          res.setHeader('Content-Length', String(file.byteLength));
          res.end(file);
        }
      });
    },
  };
}

export interface BenchServer {
  pageUrl: string;
  /** The URL a served file has in the page. */
  fileUrl(name: string): string;
  close(): Promise<void>;
}

/**
 * Builds and serves the bench page; `files` are served under /__bench/<name>, and with them ORT's
 * the runtime files of ORT's other builds (for requests that compare one with the app's).
 */
export async function serveBenchPage(files: Record<string, BenchFile>): Promise<BenchServer> {
  const t0 = performance.now();
  const ortDist = path.dirname(fileURLToPath(import.meta.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm')));
  const builds = Object.fromEntries(COMPARED_BUILDS.flatMap((b) => comparedBuildFiles(b).map((f) => [`${comparedBuildDir(b)}${f}`, path.join(ortDist, f)])));
  const served: ServedBuild = await buildAndServe({
    input: { bench: fileURLToPath(new URL(`../../../${PAGE}`, import.meta.url)) },
    previewPlugins: [benchFiles(new Map(Object.entries({ ...builds, ...files })))],
  });
  console.error(`bench page built and served in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${served.baseURL}${PAGE}`);
  return {
    pageUrl: `${served.baseURL}${PAGE}`,
    fileUrl: (name) => `${served.baseURL}${BENCH_FILES_PREFIX.slice(1)}${name.split('/').map(encodeURIComponent).join('/')}`,
    close: () => served.close(),
  };
}

export interface BrowserDescription {
  name: string;
  version: string;
  executablePath: string | null;
  headless: true;
  webgpuFlag: boolean;
}

export interface BenchBrowser {
  description: BrowserDescription;
  page: Page;
  /** Progress of the request now running (cleared by each run). */
  progress: BenchProgress[];
  run<K extends BenchRequest['kind']>(request: Extract<BenchRequest, { kind: K }>, timeoutMs: number): Promise<BenchResults[K]>;
  /** Loads the page again in the same browser profile (its HTTP and code caches kept): a user's next visit. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export class BenchTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly progress: BenchProgress[],
  ) {
    super(`no result within ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** Headless Chromium on the bench page; WebGPU (SwiftShader where there is no GPU) unless webgpu is false. */
export async function openBenchBrowser(pageUrl: string, { webgpu = true, log = true } = {}): Promise<BenchBrowser> {
  const browser: Browser = await launchBrowser({ webgpu });
  const page = await browser.newPage();
  const progress: BenchProgress[] = [];
  await page.exposeFunction('cxrBenchProgress', (p: BenchProgress) => {
    progress.push(p);
    if (log) console.error(`  [browser] ${describeProgress(p)}`);
  });
  page.on('pageerror', (e) => console.error(`  [browser] page error: ${e.message}`));
  const ready = () => page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  await page.goto(pageUrl);
  await ready();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await browser.close().catch(() => {});
  };
  return {
    description: { name: browser.browserType().name(), version: browser.version(), executablePath: findChrome(), headless: true, webgpuFlag: webgpu },
    page,
    progress,
    async run(request, timeoutMs) {
      progress.length = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BenchTimeoutError(timeoutMs, [...progress])), timeoutMs);
      });
      try {
        // `r` travels as JSON into the page and the result back the same way.
        const evaluation = page.evaluate((r) => window.cxrBench!.run(r as never), request as BenchRequest);
        evaluation.catch(() => {}); // after a time-out the closed browser rejects it; nobody waits for it then
        return (await Promise.race([evaluation, limit])) as never;
      } catch (err) {
        // A run past its limit is still going inside the browser: only closing it stops it.
        if (err instanceof BenchTimeoutError) await close();
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    async reload() {
      await page.reload();
      await ready();
    },
    close,
  };
}

function describeProgress(p: BenchProgress): string {
  const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`);
  switch (p.stage) {
    case 'log':
      return p.message;
    case 'read':
      return `model fetched (${(p.bytes / 2 ** 20).toFixed(0)} MiB) in ${s(p.ms)}`;
    case 'created':
      return `session created in ${s(p.ms)}`;
    case 'first-run':
      return `first run ${s(p.ms)}`;
    case 'warmup':
      return `warm-up ${p.index + 1}: ${s(p.ms)}`;
    case 'run':
      return `run ${p.index + 1}: ${s(p.ms)}`;
  }
}

/**
 * CPU time of every process below this one (the browser and its GPU, renderer and utility
 * processes), sampled from /proc (Linux) while a benchmark runs in the page; `between` gives the
 * CPU time spent in a wall-clock window. Processes that exit meanwhile are not counted.
 */
export function startTreeCpuSampler(everyMs = 200): { between(startEpochMs: number, endEpochMs: number): number; stop(): void; available: boolean } {
  let tick = 100;
  try {
    tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // 100 on every Linux this runs on
  }
  const read = (): number | null => {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return null;
    }
    const parent = new Map<number, number>();
    const ticks = new Map<number, number>();
    for (const e of entries) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parent.set(Number(e), Number(f[1]));
        ticks.set(Number(e), Number(f[11]) + Number(f[12]));
      } catch {
        // exited meanwhile
      }
    }
    const below = (pid: number): boolean => {
      for (let p = parent.get(pid), n = 0; p !== undefined && n < 64; p = parent.get(p), n++) if (p === process.pid) return true;
      return false;
    };
    let total = 0;
    for (const [pid, t] of ticks) if (below(pid)) total += t;
    return (total * 1000) / tick;
  };
  const samples: [number, number][] = [];
  const sample = () => {
    const v = read();
    if (v !== null) samples.push([Date.now(), v]);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  const at = (t: number): number => {
    if (!samples.length) return NaN;
    if (t <= samples[0]![0]) return samples[0]![1];
    for (let i = 1; i < samples.length; i++) {
      const [t1, v1] = samples[i]!;
      if (t <= t1) {
        const [t0, v0] = samples[i - 1]!;
        return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
      }
    }
    return samples.at(-1)![1];
  };
  return {
    available: samples.length > 0,
    between: (a, b) => {
      sample();
      return at(b) - at(a);
    },
    stop: () => clearInterval(timer),
  };
}
