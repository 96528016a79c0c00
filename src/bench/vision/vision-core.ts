// The platform-neutral half of the vision benchmark (no Node or DOM imports): its types, the
// error against PyTorch, the adapter report, and the timing of one ORT session — session
// creation, the FIRST run (cold: shader compilation and weight upload on WebGPU), warm-ups, the
// steady runs and a second session. vision-bench.ts runs it in Node, browser/bench.worker.ts in
// headless Chromium.
import type * as Ort from 'onnxruntime-web';
import { median } from '../stats';
import { compareRows, type Precision, type RowCheck } from '../../selfcheck/compare';

/**
 * wasm: ORT's CPU backend (the package's Node entry; in Chromium, the app's build's CPU EP).
 * native: the C++ WebGPU EP, asyncify build (`onnxruntime-web/webgpu`: what
 * `loadOrtForNode('webgpu')` gives, and the app's where the browser has no JSPI; in Chromium the
 * bench runs the app's build, the JSPI one). jspi: the same EP's JSPI build
 * (`onnxruntime-web/jspi`, the app's in Chromium; in Node it needs WebAssembly.Suspending, Node 25
 * or later). jsep: the JSEP build's WebGPU EP (`onnxruntime-web` default entry), the app's before
 * the native one; kept for comparison.
 */
export type OrtBuild = 'wasm' | 'jsep' | 'native' | 'jspi';
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
  /**
   * ORT-web WebGPU session options worth trying (WebGPU builds only): 'gpu-output' keeps the
   * output on the GPU (preferredOutputLocation 'gpu-buffer'; read back once for the error check
   * and timed with the read-back, as the app needs the rows); 'graph-capture' replays the captured
   * command buffers (enableGraphCapture; ORT wants input and output on the GPU for it, so the
   * input is uploaded once into a GPU buffer and gpu-output is implied).
   */
  webgpuOptions?: WebGpuOption[];
}

export type WebGpuOption = 'gpu-output' | 'graph-capture';

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
  /** The self-check's verdict on the last output's rows (selfCheckRows), at the run's precision. */
  selfCheckRows: RowCheck;
  outputDims: readonly number[];
}

/**
 * What the model self-check ("Verify model", selfcheck/compare.ts) would say of these rows against
 * the reference's: per-row cosine and norm under the thresholds of `precision`, here with every
 * row as a sample (selfcheck.json keeps a few). So a run at the real size on a real GPU gives
 * the vision stage's self-check verdict, next to its time.
 */
export function selfCheckRows(y: Float32Array, ref: Float32Array, dim: number, precision: Precision): RowCheck {
  if (y.length !== ref.length || ref.length % dim) throw new Error(`output has ${y.length} values, reference ${ref.length}, rows of ${dim}`);
  const rows = ref.length / dim;
  const row = (r: number) => ref.subarray(r * dim, (r + 1) * dim);
  const norms = Array.from({ length: rows }, (_, r) => Math.hypot(...row(r)));
  const sampleIndices = Array.from({ length: rows }, (_, r) => r);
  // compareRows only indexes the samples: the reference's own rows serve without copying.
  const samples = sampleIndices.map(row) as unknown as number[][];
  return compareRows(y, rows, dim, { rows, dim, norms, sampleIndices, samples }, precision);
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

export function configLabel(c: Pick<OrtConfig, 'build' | 'dtype' | 'opt' | 'dawnFlags' | 'webgpuOptions'>): string {
  const ep = c.build === 'wasm' ? 'wasm' : `webgpu-${c.build}`;
  const extra = c.build !== 'wasm' && c.webgpuOptions?.length ? ` +${c.webgpuOptions.join('+')}` : '';
  return `${ep} ${c.dtype} opt=${c.opt}${extra}${c.dawnFlags.length ? ` [${c.dawnFlags.join(' ')}]` : ''}`;
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


/** Told as each stage finishes, so a run cut off by a time limit still reports what it got. */
export type VisionProgress =
  | { stage: 'read'; ms: number; bytes: number }
  | { stage: 'created'; ms: number }
  | { stage: 'first-run'; ms: number }
  | { stage: 'warmup'; index: number; ms: number }
  | { stage: 'run'; index: number; ms: number; startEpochMs: number; endEpochMs: number };

export interface VisionTimingHooks {
  /** CPU time this process has used so far, in ms, where the platform can tell (Node). */
  cpuNowMs?: () => number;
  onProgress?: (p: VisionProgress) => void;
}

export type VisionTiming = Pick<OrtResult, 'sessionCreateMs' | 'firstRunMs' | 'medianMs' | 'minMs' | 'runsMs' | 'cpuMedianMs' | 'second' | 'error' | 'selfCheckRows' | 'outputDims'> & {
  /** Wall-clock start and end of each steady run (ms since the epoch), to match against CPU samples taken elsewhere. */
  runWindowsEpochMs: [number, number][];
};

const epochNow = () => performance.timeOrigin + performance.now();

/**
 * One session of the encoder timed: creation, the first run, `warmup` untimed runs, `runs` timed
 * runs (output read back to the CPU, as the app does), the error of the last output against
 * PyTorch's, and optionally a second session's creation and first run.
 */
export async function timeVisionSession(
  ort: typeof Ort,
  model: Uint8Array,
  meta: Pick<VisionModelMeta, 'inputName' | 'outputName' | 'inputShape'>,
  input: Float32Array,
  ref: Float32Array,
  c: Pick<OrtConfig, 'build' | 'dtype' | 'opt' | 'runs' | 'warmup' | 'secondSession' | 'webgpuOptions'>,
  hooks: VisionTimingHooks = {},
): Promise<VisionTiming> {
  const progress = hooks.onProgress ?? (() => {});
  const gpuOpts = c.build === 'wasm' ? [] : (c.webgpuOptions ?? []);
  const capture = gpuOpts.includes('graph-capture');
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: [c.build === 'wasm' ? 'wasm' : 'webgpu'],
    graphOptimizationLevel: c.opt,
    logSeverityLevel: 3,
    ...(capture ? { enableGraphCapture: true } : {}),
    ...(capture || gpuOpts.includes('gpu-output') ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
  };
  let feeds: Record<string, Ort.Tensor> = { [meta.inputName]: new ort.Tensor('float32', input, meta.inputShape) };
  /** Graph capture: the input goes into a GPU buffer on ORT's device once the first session exists. */
  const gpuFeeds = async () => {
    if (!capture) return;
    const device = (await ort.env.webgpu.device) as GPUDevice;
    const buffer = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, input.slice());
    feeds = { [meta.inputName]: ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims: meta.inputShape }) };
  };
  const runOnce = async (session: Ort.InferenceSession) => {
    const out = await session.run(feeds);
    const tensor = out[meta.outputName];
    if (!tensor) throw new Error(`no output ${meta.outputName}`);
    const data = (await tensor.getData()) as Float32Array;
    const dims = tensor.dims;
    tensor.dispose();
    return { data, dims };
  };

  let t = performance.now();
  let session = await ort.InferenceSession.create(model, options);
  const sessionCreateMs = performance.now() - t;
  progress({ stage: 'created', ms: sessionCreateMs });
  await gpuFeeds();
  t = performance.now();
  let out = await runOnce(session);
  const firstRunMs = performance.now() - t;
  progress({ stage: 'first-run', ms: firstRunMs });
  for (let i = 0; i < c.warmup; i++) {
    t = performance.now();
    out = await runOnce(session);
    progress({ stage: 'warmup', index: i, ms: performance.now() - t });
  }
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  const runWindowsEpochMs: [number, number][] = [];
  for (let i = 0; i < c.runs; i++) {
    const cpu0 = hooks.cpuNowMs?.();
    const start = epochNow();
    t = performance.now();
    out = await runOnce(session);
    const ms = performance.now() - t;
    const end = epochNow();
    runsMs.push(ms);
    runWindowsEpochMs.push([start, end]);
    if (cpu0 !== undefined) cpuMs.push(hooks.cpuNowMs!() - cpu0);
    progress({ stage: 'run', index: i, ms, startEpochMs: start, endEpochMs: end });
  }
  const error = errorStats(out.data, ref);
  const outputDims = out.dims;
  const rowCheck = selfCheckRows(out.data, ref, outputDims[outputDims.length - 1]!, c.dtype === 'fp16' ? 'fp16' : 'fp32');
  await session.release();

  let second: VisionTiming['second'] = null;
  if (c.secondSession) {
    t = performance.now();
    session = await ort.InferenceSession.create(model, options);
    const create2 = performance.now() - t;
    t = performance.now();
    await runOnce(session);
    second = { sessionCreateMs: create2, firstRunMs: performance.now() - t };
    await session.release();
  }
  return {
    sessionCreateMs,
    firstRunMs,
    medianMs: c.runs ? median(runsMs) : NaN,
    minMs: c.runs ? Math.min(...runsMs) : NaN,
    runsMs,
    cpuMedianMs: cpuMs.length ? median(cpuMs) : NaN,
    runWindowsEpochMs,
    second,
    error,
    selfCheckRows: rowCheck,
    outputDims,
  };
}

/** A configuration that gave no result: why, and what a run cut off by its time limit finished. */
export interface OrtFailure {
  config: OrtConfig;
  label: string;
  failed: string;
  partial?: { readMs?: number; sessionCreateMs?: number; firstRunMs?: number; warmupMs?: number[]; runsMs?: number[] };
}
