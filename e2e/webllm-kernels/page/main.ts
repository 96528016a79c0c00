/**
 * Runs the app's own WebLlmDecoderBackend on a REAL compiled WebLLM model library (TinyLlama-1.1B
 * q4f32_1, v0_2_34) through web-llm 0.2.79's engine and runtime, the newest web-llm that can
 * instantiate a library available offline (0.2.86, the app's, instantiates none: see
 * e2e/webllm-kernels/README.md). The weights are our writer's. Only what differs between
 * 0.2.79 + this older library and 0.2.86 is adapted here, each said where it is done.
 */
import { MLCEngine } from 'web-llm-0279';
import { WebLlmDecoderBackend } from '../../../src/generate/backends/webllm/webllm-backend';
import { EXPECTED_ABI, type WebLlmEngine } from '../../../src/generate/backends/webllm/internals';
import type { PromptSegment } from '../../../src/generate/image-tokens';

export interface KernelCheckInput {
  modelBase: string;
  libUrl: string;
  /** Text before the image, image rows (flattened [count, hidden]), text after it. */
  before: number[];
  rows: number[];
  rowCount: number;
  after: number[];
  decodeToken: number;
  /** Positions per prefill forward; smaller than the prompt so that prefill is chunked. */
  prefillChunk: number;
  /**
   * Prefills run first, each from an empty cache, to tell apart what a mismatch of the main run
   * comes from: text alone in one forward (our weights), text chunked (chunked prefill), image
   * rows + text in one forward (the ConcatEmbeddings stand-in).
   */
  isolate?: IsolateCase[];
  /**
   * Run last, after the backend's own steps: the same ids through web-llm 0.2.79's OWN
   * `embedAndForward`, one call per chunk, from an empty cache: what web-llm itself computes for
   * a chunked prompt, to compare with the backend's chunked run of the same chunks.
   */
  webllmOwn?: { name: string; chunks: number[][] };
}

export interface IsolateCase {
  name: string;
  before: number[];
  /** Inject input.rows between before and after. */
  image: boolean;
  after: number[];
  prefillChunk: number;
}

interface Tensor {
  shape: number[];
  dtype: string;
  dataPtr: number;
  dltensor: number;
  lib: { memory: { loadU32(ptr: number): number } };
  ctx: { ndarrayCreateView(a: unknown, shape: unknown): unknown };
}
interface Tvm {
  beginScope(): void;
  endScope(): void;
  empty(shape: number[], dtype: string, device: unknown): Tensor;
  cpu(): unknown;
  makeShapeTuple(shape: number[]): unknown;
  registerFunc(name: string, f: (...args: unknown[]) => unknown, override?: boolean): void;
  ctx: { concatEmbeddings?: (...parts: Tensor[]) => Tensor };
  lib: { webGPUContext: { deviceCopyWithinGPU(from: number, fromOffset: number, to: number, toOffset: number, nbytes: number): void } };
}
interface Pipeline0279 {
  tvm: Tvm;
  device: { sync(): Promise<void> };
  prefillChunkSize: number;
  resolvedModelABI?: unknown;
  filledKVCacheLength: number;
  embedAndForward(chunk: number[][], length: number): Promise<Tensor & { toRawBytes(): Uint8Array; copyFrom(t: unknown): unknown; dispose(): void }>;
}

const BYTES: Record<string, number> = { float32: 4, float16: 2 };

/**
 * DLTensor.byte_offset. 0.2.79's Tensor.byteOffset reads it 4 bytes early (at 28: it omits the
 * padding before this 8-aligned uint64 in wasm32's DLTensor {data, device, ndim, dtype, shape,
 * strides, byte_offset}), so it is read here at 32 (low word; offsets stay far below 4 GiB).
 */
function byteOffset(t: Tensor): number {
  return t.lib.memory.loadU32(t.dltensor + 32);
}

/** The adaptations, applied to the pipeline 0.2.79 has just loaded. */
function adapt(p: Pipeline0279, prefillChunk: number): string[] {
  const notes: string[] = [];
  const { tvm } = p;
  // 1. 0.2.79's pipeline predates ABI resolution; for a Llama library it is exactly this ABI
  //    (prefill/decode(embeds, kv_cache, params)), which is what 0.2.86 resolves it to.
  p.resolvedModelABI = { ...EXPECTED_ABI };
  notes.push('resolvedModelABI set to the single-sequence kv_cache ABI (0.2.79 does not resolve one)');
  // 2. 0.2.79's Tensor.view() passes (shape, dtype, offset) to runtime.TVMArrayCreateView, whose
  //    copy inside this older library takes (array, shape) only; same semantics, older arity.
  tvm.beginScope();
  let proto: { view: unknown };
  try {
    proto = Object.getPrototypeOf(tvm.empty([1], 'float32', tvm.cpu())) as { view: unknown };
  } finally {
    tvm.endScope();
  }
  proto.view = function view(this: Tensor, shape: number[], _dtype?: string) {
    return this.ctx.ndarrayCreateView(this, tvm.makeShapeTuple(shape));
  };
  notes.push('Tensor.view() calls TVMArrayCreateView with the 2 arguments this library takes');
  // 3. This library predates tvmjs.runtime.ConcatEmbeddings; it is supplied as what that runtime
  //    function does: one [sum m_i, hidden] tensor, each part copied GPU-to-GPU at its row offset.
  const concat = (...parts: Tensor[]): Tensor => {
    const hidden = parts[0]!.shape[1]!;
    const dtype = parts[0]!.dtype;
    const rows = parts.reduce((n, t) => n + t.shape[0]!, 0);
    const out = tvm.empty([rows, hidden], dtype, p.device);
    let at = 0;
    for (const t of parts) {
      const n = t.shape[0]! * hidden * BYTES[dtype]!;
      tvm.lib.webGPUContext.deviceCopyWithinGPU(t.dataPtr, byteOffset(t), out.dataPtr, byteOffset(out) + at, n);
      at += n;
    }
    return out;
  };
  tvm.ctx.concatEmbeddings = concat;
  tvm.registerFunc('tvmjs.runtime.ConcatEmbeddings', () => {
    throw new Error('reached only through tvm.concatEmbeddings here');
  });
  notes.push('ConcatEmbeddings supplied as GPU buffer copies (absent from this v0_2_34 library)');
  // 4. The library is compiled for 1024 positions per prefill; a smaller plan makes the backend
  //    chunk the prompt, which is what a prompt longer than the chunk gets in the app.
  p.prefillChunkSize = prefillChunk;
  return notes;
}

async function run(input: KernelCheckInput) {
  const notes: string[] = [];
  let pipelineChunk = 0;
  let pipeline: Pipeline0279 | undefined;
  const t0 = performance.now();
  const backend = await WebLlmDecoderBackend.create({
    manifest: {
      id: 'tinyllama-random',
      name: 'TinyLlama-shaped random weights',
      vision: { imageTokens: input.rowCount } as never,
      decoder: {
        hiddenSize: 2048,
        bosTokenId: 1,
        webllm: { q4f32_1: { modelFolder: 'resolve/main/', modelLib: input.libUrl, contextWindow: 1024, prefillChunkSize: 1024, vramBytes: 2 ** 30 } },
      } as never,
    },
    manifestUrl: input.modelBase + 'manifest.json',
    gpuHasF16: false,
    createEngine: ({ appConfig, initProgressCallback }) => {
      let shown = -1;
      const progress = (r: { progress: number; text: string }) => {
        initProgressCallback(r as never);
        // A line per 10 %: loading takes minutes on a software adapter.
        if (Math.floor(r.progress * 10) > shown) console.log(`[kernels] ${r.text}`);
        shown = Math.floor(r.progress * 10);
      };
      const engine = new MLCEngine({ appConfig: appConfig as never, initProgressCallback: progress, logLevel: 'WARN' });
      const reload = engine.reload.bind(engine);
      const wrapped = engine as unknown as WebLlmEngine;
      wrapped.reload = async (modelId: string, opts?: unknown) => {
        await reload(modelId, opts as never);
        const p = wrapped.loadedModelIdToPipeline.get(modelId) as Pipeline0279;
        pipeline = p;
        pipelineChunk = p.prefillChunkSize;
        notes.push(...adapt(p, input.prefillChunk));
      };
      return wrapped;
    },
  });
  const loadSeconds = (performance.now() - t0) / 1000;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await f();
    timings[name] = (performance.now() - s) / 1000;
    console.log(`[kernels] ${name}: ${timings[name].toFixed(1)} s`);
    return r;
  };
  const isolated: Record<string, number[]> = {};
  for (const c of input.isolate ?? []) {
    await backend.trimCache(0);
    pipeline!.prefillChunkSize = c.prefillChunk;
    if (c.image) await backend.setImage(Float32Array.from(input.rows), input.rowCount, 2048);
    const parts: PromptSegment[] = c.image ? [{ kind: 'text', ids: c.before }, { kind: 'image' }, { kind: 'text', ids: c.after }] : [{ kind: 'text', ids: [...c.before, ...c.after] }];
    isolated[c.name] = Array.from(await timed(`isolate ${c.name}`, () => backend.forward(parts)));
  }
  await backend.trimCache(0);
  pipeline!.prefillChunkSize = input.prefillChunk;
  await backend.setImage(Float32Array.from(input.rows), input.rowCount, 2048);
  const segments: PromptSegment[] = [{ kind: 'text', ids: input.before }, { kind: 'image' }, { kind: 'text', ids: input.after }];
  const prefill = await timed('prefill', () => backend.forward(segments));
  const afterPrefill = backend.cacheLength;
  const decode = await timed('decode', () => backend.forward([{ kind: 'text', ids: [input.decodeToken] }]));
  // Drop the decoded position (kv_state_popn when the library has it) and decode it again.
  await timed('trim', () => backend.trimCache(afterPrefill));
  const redecode = await timed('redecode', () => backend.forward([{ kind: 'text', ids: [input.decodeToken] }]));
  const result = {
    notes,
    libPrefillChunk: pipelineChunk,
    trimsInPlace: backend.trimsInPlace,
    description: backend.description,
    afterPrefill,
    finalLength: backend.cacheLength,
    loadSeconds,
    timings,
    adapter: await adapterInfo(),
    logits: { prefill: Array.from(prefill), decode: Array.from(decode), redecode: Array.from(redecode) },
    isolated,
  };
  if (input.webllmOwn) {
    // The backend thinks the cache holds afterPrefill + 1 positions; empty it, then let web-llm
    // run the chunks itself (nothing of the backend is used after this).
    await backend.trimCache(0);
    const p = pipeline!;
    p.prefillChunkSize = Math.max(...input.webllmOwn.chunks.map((c) => c.length));
    p.filledKVCacheLength = 0;
    const t = performance.now();
    let last: Awaited<ReturnType<Pipeline0279['embedAndForward']>> | undefined;
    p.tvm.beginScope();
    try {
      for (const c of input.webllmOwn.chunks) last = await p.embedAndForward([c], c.length);
      const cpu = p.tvm.empty(last!.shape, last!.dtype, p.tvm.cpu()) as unknown as { copyFrom(t: unknown): void; toRawBytes(): Uint8Array };
      cpu.copyFrom(last);
      await p.device.sync();
      const all = new Float32Array(cpu.toRawBytes().slice().buffer);
      const vocab = last!.shape[last!.shape.length - 1]!;
      isolated[input.webllmOwn.name] = Array.from(all.subarray(all.length - vocab));
    } finally {
      p.tvm.endScope();
    }
    timings[`web-llm own ${input.webllmOwn.name}`] = (performance.now() - t) / 1000;
  }
  // 0.2.79's unload() fails on this library's pipeline (a dispose() of something it lacks); the
  // page is closed right after, so only the message is kept.
  await backend.dispose().catch((err: unknown) => notes.push(`dispose (0.2.79 unload): ${String(err)}`));
  return result;
}

async function adapterInfo(): Promise<string> {
  const a = await navigator.gpu?.requestAdapter();
  const i = a?.info;
  return i ? `${i.vendor} ${i.architecture} ${i.description}`.trim() : 'none';
}

(window as unknown as { runKernelCheck: typeof run }).runKernelCheck = run;
