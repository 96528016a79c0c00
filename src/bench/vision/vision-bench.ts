// One ONNX Runtime Web configuration (build, EP, dtype, graph optimisation level) timed on the
// vision encoder that models/bench/make_vision_large.py wrote: session creation, the FIRST run
// (cold: shader compilation and weight upload on WebGPU), the median of the steady runs, and the
// error against PyTorch's fp32 output on the same input. Runs in its own process (see cli.ts), so
// one crash or lost device costs one configuration, and each wasm heap is freed.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Ort from 'onnxruntime-web';
import { hasJspi } from '../../encode/ort-env';
import { loadOrtForNode } from '../../node/ort-node';
import { adapterReport, configLabel, timeVisionSession, type AdapterReport, type OrtConfig, type OrtResult, type VisionModelMeta } from './vision-core';

export * from './vision-core';

export async function readMeta(modelDir: string): Promise<VisionModelMeta> {
  try {
    return JSON.parse(await readFile(path.join(modelDir, 'meta.json'), 'utf8')) as VisionModelMeta;
  } catch (err) {
    throw new Error(
      `${modelDir}/meta.json could not be read (${(err as Error).message}). Write the model first: ` +
        `/usr/bin/python3 models/bench/make_vision_large.py --out ${modelDir} [--layers N] [--dtype fp16]`,
    );
  }
}

export async function readF32(file: string): Promise<Float32Array> {
  const b = await readFile(file);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/** ORT's dist folder (holds the browser builds, which the package's exports do not list). */
export function ortDistDir(): string {
  // import.meta.resolve needs no file beyond the one resolved (the device bundle carries only
  // the dist files it runs); require.resolve is the fallback for runtimes without it.
  try {
    return path.dirname(fileURLToPath(import.meta.resolve('onnxruntime-web/webgpu')));
  } catch {
    return path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  }
}

/**
 * Dawn's GPU with the given flags installed as `navigator.gpu` before ORT sees it (ORT and
 * `createNodeGpu` keep an existing one). Falls back to Chromium's SwiftShader driver like
 * createNodeGpu does.
 */
async function installFlaggedGpu(flags: string[]): Promise<void> {
  const dawn = await import('webgpu');
  Object.assign(globalThis, dawn.globals);
  let gpu = dawn.create(flags);
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!(await gpu.requestAdapter()) && !process.env.VK_ICD_FILENAMES) {
    const { existsSync } = await import('node:fs');
    if (existsSync(swiftshader)) {
      process.env.VK_ICD_FILENAMES = swiftshader;
      gpu = dawn.create(flags);
    }
  }
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

async function loadOrt(c: OrtConfig): Promise<{ ort: typeof Ort; runtime: string; adapter: AdapterReport | null }> {
  if (c.build === 'wasm') {
    const { ort, note } = await loadOrtForNode('wasm');
    ort.env.wasm.numThreads = c.threads;
    return { ort, runtime: note, adapter: null };
  }
  if (c.dawnFlags.length) await installFlaggedGpu(c.dawnFlags);
  // Sets up navigator.gpu (Dawn) and the writeBuffer shim (views of shared memory and JSEP's bare
  // SharedArrayBuffer uploads alike); its module is the native build.
  const native = await loadOrtForNode('webgpu');
  const adapter = await adapterReport((globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu, c.dawnFlags);
  if (c.build === 'native') return { ort: native.ort, runtime: `onnxruntime-web/webgpu (native WebGPU EP, asyncify); ${native.note}`, adapter };
  if (c.build === 'jspi' && !hasJspi()) {
    throw new Error(`the JSPI build needs WebAssembly.Suspending, which Node ${process.version} lacks (Node 25 or later has it)`);
  }
  const entry = c.build === 'jspi' ? 'ort.jspi.min.mjs' : 'ort.min.mjs';
  const ort = (await import(/* @vite-ignore */ pathToFileURL(path.join(ortDistDir(), entry)).href)) as typeof Ort;
  ort.env.wasm.numThreads = 1;
  return { ort, runtime: `onnxruntime-web ${entry} (${c.build === 'jspi' ? 'native WebGPU EP, JSPI' : 'JSEP WebGPU EP'}); ${native.note}`, adapter };
}

export async function runOrtConfig(c: OrtConfig): Promise<OrtResult> {
  const meta = await readMeta(c.modelDir);
  const file = c.dtype === 'fp16' ? meta.onnx.fp16 : meta.onnx.fp32;
  if (!file) throw new Error(`${c.modelDir} has no fp16 graph: make it with make_vision_large.py --dtype fp16`);
  const { ort, runtime, adapter } = await loadOrt(c);
  if (c.build !== 'wasm' && c.dtype === 'fp16' && adapter && !adapter.features.includes('shader-f16')) {
    throw new Error(`the adapter has no shader-f16 (features: ${adapter.features.join(', ')})`);
  }
  ort.env.logLevel = 'error';
  const input = await readF32(path.join(c.modelDir, 'input.bin'));
  const ref = await readF32(path.join(c.modelDir, 'ref.bin'));

  const t = performance.now();
  const bytes = new Uint8Array(await readFile(path.join(c.modelDir, file)));
  const readMs = performance.now() - t;
  const cpuNowMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const timing = await timeVisionSession(ort, bytes, meta, input, ref, c, { cpuNowMs });
  return {
    config: c,
    label: configLabel(c),
    executionProvider: c.build === 'wasm' ? 'wasm' : 'webgpu',
    runtime,
    adapter,
    wasmThreads: Number(ort.env.wasm.numThreads ?? 0),
    modelBytes: bytes.byteLength,
    readMs,
    ...timing,
  };
}
