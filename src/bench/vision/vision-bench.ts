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
import { loadOrtForNode } from '../../node/ort-node';
import { median } from '../stats';

/**
 * wasm: ORT's CPU backend (the package's Node entry). jsep: the browser build's WebGPU EP that
 * the app ships (`onnxruntime-web` default entry, JSEP). native: the C++ WebGPU EP
 * (`onnxruntime-web/webgpu`, what `loadOrtForNode('webgpu')` gives).
 */
export type OrtBuild = 'wasm' | 'jsep' | 'native';
export type OptLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface VisionModelMeta {
  layers: number;
  width: number;
  imageSize: number;
  heads: number;
  tokens: number;
  imageRows: number;
  outputDim: number;
  inputName: string;
  outputName: string;
  inputShape: number[];
  outputShape: number[];
  onnx: { fp32: string; fp16?: string };
  parameters: number;
  flops: { total: number; perLayer: number; layers: number; patchEmbed: number; projector: number };
  exporter: string;
  torch: string;
  files: Record<string, number>;
}

export interface OrtConfig {
  modelDir: string;
  build: OrtBuild;
  dtype: 'fp32' | 'fp16';
  opt: OptLevel;
  runs: number;
  warmup: number;
  /** wasm threads (wasm build only; the WebGPU builds run ORT's own wasm part on one thread). */
  threads: number;
  /** Flags for Dawn's `create()`, e.g. `enable-dawn-features=vulkan_enable_f16_on_nvidia`. */
  dawnFlags: string[];
  /** Create a second session after the first and time its first run too (shader caches). */
  secondSession: boolean;
}

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean | null;
  features: string[];
  limits: Record<string, number>;
  dawnFlags: string[];
}

export interface ErrorStats {
  maxAbs: number;
  relL2: number;
  maxAbsOverMaxRef: number;
}

export interface OrtResult {
  config: OrtConfig;
  label: string;
  executionProvider: string;
  runtime: string;
  adapter: AdapterReport | null;
  wasmThreads: number;
  modelBytes: number;
  readMs: number;
  sessionCreateMs: number;
  firstRunMs: number;
  medianMs: number;
  minMs: number;
  runsMs: number[];
  /** CPU time of this process (all threads) per steady run: robust where other jobs share the cores. */
  cpuMedianMs: number;
  second: { sessionCreateMs: number; firstRunMs: number } | null;
  error: ErrorStats;
  outputDims: readonly number[];
}

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

export function errorStats(y: ArrayLike<number>, ref: Float32Array): ErrorStats {
  if (y.length !== ref.length) throw new Error(`output has ${y.length} values, reference ${ref.length}`);
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  let maxRef = 0;
  let nan = false;
  for (let i = 0; i < ref.length; i++) {
    const d = y[i]! - ref[i]!;
    if (Number.isNaN(d)) nan = true;
    num += d * d;
    den += ref[i]! * ref[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  }
  if (nan) maxAbs = NaN; // a NaN in the output must not read as a small error
  return { maxAbs, relL2: Math.sqrt(num / den), maxAbsOverMaxRef: maxAbs / maxRef };
}

export function configLabel(c: Pick<OrtConfig, 'build' | 'dtype' | 'opt' | 'dawnFlags'>): string {
  const ep = c.build === 'wasm' ? 'wasm' : `webgpu-${c.build}`;
  return `${ep} ${c.dtype} opt=${c.opt}${c.dawnFlags.length ? ` [${c.dawnFlags.join(' ')}]` : ''}`;
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

export async function adapterReport(gpu: GPU, dawnFlags: string[]): Promise<AdapterReport | null> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info;
  const l = adapter.limits;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: 'isFallbackAdapter' in info ? Boolean(info.isFallbackAdapter) : null,
    features: [...adapter.features].map(String).sort(),
    limits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
    dawnFlags,
  };
}

async function loadOrt(c: OrtConfig): Promise<{ ort: typeof Ort; runtime: string; adapter: AdapterReport | null }> {
  if (c.build === 'wasm') {
    const { ort, note } = await loadOrtForNode('wasm');
    ort.env.wasm.numThreads = c.threads;
    return { ort, runtime: note, adapter: null };
  }
  if (c.dawnFlags.length) await installFlaggedGpu(c.dawnFlags);
  // Sets up navigator.gpu (Dawn) and the writeBuffer shim; its module is the native build.
  const native = await loadOrtForNode('webgpu');
  const adapter = await adapterReport((globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu, c.dawnFlags);
  if (c.build === 'native') return { ort: native.ort, runtime: `onnxruntime-web/webgpu (native WebGPU EP); ${native.note}`, adapter };
  patchSharedArrayBufferWrites();
  const url = pathToFileURL(path.join(ortDistDir(), 'ort.min.mjs')).href;
  const ort = (await import(/* @vite-ignore */ url)) as typeof Ort;
  ort.env.wasm.numThreads = 1;
  return { ort, runtime: `onnxruntime-web ort.min.mjs (JSEP WebGPU EP); ${native.note}`, adapter };
}

/**
 * loadOrtForNode's shim copies SharedArrayBuffer-backed *views*; JSEP's GpuDataManager.upload also
 * hands `queue.writeBuffer` the wasm heap's SharedArrayBuffer itself with byte offsets, which
 * dawn.node rejects ("no overload matched for writeBuffer"). Copy that range first too.
 */
function patchSharedArrayBufferWrites(): void {
  const proto = (globalThis as { GPUQueue?: { prototype: GPUQueue & { __benchSabPatched?: boolean } } }).GPUQueue?.prototype;
  if (!proto || proto.__benchSabPatched || typeof SharedArrayBuffer === 'undefined') return;
  const inner = proto.writeBuffer;
  proto.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: unknown, dataOffset?: number, size?: number) {
    if (data instanceof SharedArrayBuffer) {
      const start = dataOffset ?? 0;
      const bytes = new Uint8Array(data, start, size ?? data.byteLength - start).slice();
      return inner.call(this, buffer, offset, bytes);
    }
    return inner.call(this, buffer, offset, data as BufferSource, dataOffset, size);
  } as GPUQueue['writeBuffer'];
  proto.__benchSabPatched = true;
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

  let t = performance.now();
  const bytes = new Uint8Array(await readFile(path.join(c.modelDir, file)));
  const readMs = performance.now() - t;
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: [c.build === 'wasm' ? 'wasm' : 'webgpu'],
    graphOptimizationLevel: c.opt,
    logSeverityLevel: 3,
  };
  const feeds = { [meta.inputName]: new ort.Tensor('float32', input, meta.inputShape) };
  const runOnce = async (session: Ort.InferenceSession) => {
    const out = await session.run(feeds);
    const tensor = out[meta.outputName];
    if (!tensor) throw new Error(`no output ${meta.outputName}`);
    const data = (await tensor.getData()) as Float32Array;
    const dims = tensor.dims;
    tensor.dispose();
    return { data, dims };
  };

  t = performance.now();
  let session = await ort.InferenceSession.create(bytes, options);
  const sessionCreateMs = performance.now() - t;
  t = performance.now();
  let out = await runOnce(session);
  const firstRunMs = performance.now() - t;
  for (let i = 0; i < c.warmup; i++) out = await runOnce(session);
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < c.runs; i++) {
    const cpu0 = process.cpuUsage();
    t = performance.now();
    out = await runOnce(session);
    runsMs.push(performance.now() - t);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  const error = errorStats(out.data, ref);
  const outputDims = out.dims;
  await session.release();

  let second: OrtResult['second'] = null;
  if (c.secondSession) {
    t = performance.now();
    session = await ort.InferenceSession.create(bytes, options);
    const create2 = performance.now() - t;
    t = performance.now();
    await runOnce(session);
    second = { sessionCreateMs: create2, firstRunMs: performance.now() - t };
    await session.release();
  }
  return {
    config: c,
    label: configLabel(c),
    executionProvider: options.executionProviders![0] as string,
    runtime,
    adapter,
    wasmThreads: Number(ort.env.wasm.numThreads ?? 0),
    modelBytes: bytes.byteLength,
    readMs,
    sessionCreateMs,
    firstRunMs,
    medianMs: c.runs ? median(runsMs) : NaN,
    minMs: c.runs ? Math.min(...runsMs) : NaN,
    runsMs,
    cpuMedianMs: c.runs ? median(cpuMs) : NaN,
    second,
    error,
    outputDims,
  };
}
