// `npm run bench:vision -- --browser --ep wasm|webgpu`: each ORT configuration of the vision
// bench (cli.ts) run in headless Chromium instead of a Node child process — the same timing code
// (vision/vision-core.ts) in the bench page's worker, a fresh browser per configuration (cold
// caches), the model folder served by the preview server under /__bench/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { configLabel, type AdapterReport, type OrtConfig, type OrtFailure, type OrtResult, type VisionModelMeta } from '../vision/vision-core';
import { median } from '../stats';
import { BenchTimeoutError, openBenchBrowser, serveBenchPage, startTreeCpuSampler, type BenchServer, type BrowserDescription } from './driver';
import type { BenchProgress, BrowserEnvInfo } from './protocol';

export type BrowserOrtResult = OrtResult & { browser: BrowserDescription & BrowserEnvInfo; cpuTime: string };
/** A failure still says which browser and adapter it was. */
export type BrowserOrtFailure = OrtFailure & { browser?: BrowserDescription & BrowserEnvInfo; adapter?: AdapterReport | null };

const FILES = ['vision.onnx', 'vision.fp16.onnx', 'input.bin', 'ref.bin'];

export interface BrowserVisionRunner {
  run(c: OrtConfig, meta: VisionModelMeta, timeoutMs: number): Promise<BrowserOrtResult | BrowserOrtFailure>;
  close(): Promise<void>;
}

/** Builds and serves the bench page once; each configuration then gets its own browser. */
export async function createBrowserVisionRunner(modelDir: string): Promise<BrowserVisionRunner> {
  const files = Object.fromEntries(FILES.filter((f) => existsSync(path.join(modelDir, f))).map((f) => [f, path.resolve(modelDir, f)]));
  const server: BenchServer = await serveBenchPage(files);
  return { run: (c, meta, timeoutMs) => runConfig(server, c, meta, timeoutMs), close: () => server.close() };
}

function partialOf(progress: BenchProgress[]): OrtFailure['partial'] {
  const find = <S extends BenchProgress['stage']>(s: S) => progress.filter((p): p is Extract<BenchProgress, { stage: S }> => p.stage === s);
  return {
    readMs: find('read')[0]?.ms,
    sessionCreateMs: find('created')[0]?.ms,
    firstRunMs: find('first-run')[0]?.ms,
    warmupMs: find('warmup').map((p) => p.ms),
    runsMs: find('run').map((p) => p.ms),
  };
}

async function runConfig(server: BenchServer, c: OrtConfig, meta: VisionModelMeta, timeoutMs: number): Promise<BrowserOrtResult | BrowserOrtFailure> {
  const label = `chromium ${configLabel(c)}`;
  const file = c.dtype === 'fp16' ? meta.onnx.fp16 : meta.onnx.fp32;
  if (!file) return { config: c, label, failed: `${c.modelDir} has no fp16 graph: make it with make_vision_large.py --dtype fp16` };
  const browser = await openBenchBrowser(server.pageUrl);
  const sampler = startTreeCpuSampler();
  const started = performance.now();
  let seen: Pick<BrowserOrtFailure, 'browser' | 'adapter'> = {};
  try {
    const { env, adapter } = await browser.run({ kind: 'info' }, 60_000);
    seen = { browser: { ...browser.description, ...env }, adapter };
    if (c.build !== 'wasm' && !adapter) return { config: c, label, failed: `Chromium has no WebGPU adapter: ${env.webgpu}`, ...seen };
    if (c.build !== 'wasm' && c.dtype === 'fp16' && !adapter!.features.includes('shader-f16')) {
      return { config: c, label, failed: `the adapter (${adapter!.vendor} ${adapter!.architecture}) has no shader-f16`, ...seen };
    }
    console.error(`[${label}] ${browser.description.name} ${browser.description.version}${adapter ? `, adapter ${adapter.vendor} ${adapter.architecture}` : ''}`);
    const r = await browser.run(
      {
        kind: 'vision',
        modelUrl: server.fileUrl(path.basename(file)),
        inputUrl: server.fileUrl('input.bin'),
        refUrl: server.fileUrl('ref.bin'),
        meta: { inputName: meta.inputName, outputName: meta.outputName, inputShape: meta.inputShape },
        config: c,
      },
      timeoutMs,
    );
    const { runWindowsEpochMs, runtime, wasmThreads, modelBytes, readMs, ...timing } = r;
    const cpu = sampler.available ? runWindowsEpochMs.map(([a, b]) => sampler.between(a, b)) : [];
    return {
      config: c,
      label,
      executionProvider: c.build === 'wasm' ? 'wasm' : 'webgpu',
      runtime,
      adapter: c.build === 'wasm' ? null : adapter,
      wasmThreads,
      modelBytes,
      readMs,
      ...timing,
      cpuMedianMs: cpu.length ? median(cpu) : NaN,
      browser: { ...browser.description, ...env },
      cpuTime: cpu.length ? "the browser's processes (all of Chromium below this process, from /proc), per steady run" : 'not measured',
    };
  } catch (err) {
    if (err instanceof BenchTimeoutError) {
      const partial = partialOf(err.progress);
      const got = [
        partial?.sessionCreateMs !== undefined ? `session created in ${(partial.sessionCreateMs / 1000).toFixed(1)} s` : 'no session yet',
        partial?.firstRunMs !== undefined ? `first run ${(partial.firstRunMs / 1000).toFixed(1)} s` : 'first run not finished',
        partial?.runsMs?.length ? `${partial.runsMs.length} steady runs` : '',
      ].filter(Boolean);
      return { config: c, label, failed: `timed out after ${Math.round((performance.now() - started) / 1000)} s (${got.join(', ')})`, partial, ...seen };
    }
    return { config: c, label, failed: err instanceof Error ? err.message.split('\n')[0]! : String(err), ...seen };
  } finally {
    sampler.stop();
    await browser.close();
  }
}
