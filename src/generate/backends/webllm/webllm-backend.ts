import type { AppConfig, InitProgressReport } from '@mlc-ai/web-llm';
import type { ModelManifest } from '../../../model/manifest';
import { AppError, DeviceLostError, GenerationError, ModelLoadError, WebGpuUnavailableError, WebLlmInternalsError } from '../../../worker/errors';
import type { DecoderBackend } from '../../backend';
import type { PromptSegment } from '../../image-tokens';
import { buildWebLlmAppConfig, chooseWebLlmQuant, type WebLlmCacheBackend, type WebLlmQuant } from './app-config';
import { pieceLength, planChunks, truncatePieces, type Piece } from './chunks';
import { float16ToFloat32Array, float32ToFloat16Array } from './float16';
import {
  assertPinnedWebLlmVersion,
  checkWebLlmInternals,
  KV_GLOBAL_FUNCS,
  KV_POPN,
  type PackedFunc,
  type TvmArray,
  type TvmTensor,
  type WebLlmEngine,
  type WebLlmPipeline,
} from './internals';

export interface EngineFactoryConfig {
  appConfig: AppConfig;
  initProgressCallback: (report: InitProgressReport) => void;
}
export type EngineFactory = (config: EngineFactoryConfig) => WebLlmEngine | Promise<WebLlmEngine>;

export interface WebLlmBackendOptions {
  manifest: Pick<ModelManifest, 'id' | 'name' | 'decoder' | 'vision'>;
  /** Absolute URL of manifest.json: the model folder and lib are relative to it. */
  manifestUrl: string;
  /** Whether the WebGPU adapter has shader-f16 (decides q4f16_1 vs q4f32_1). */
  gpuHasF16: boolean;
  onProgress?: (report: InitProgressReport) => void;
  /** Tests pass a fake; the app gets WebLLM's MLCEngine, loaded on first use (it is large). */
  createEngine?: EngineFactory;
  cacheBackend?: WebLlmCacheBackend;
}

interface ImageRows {
  rows: Float32Array;
  count: number;
  /** Made on first use and kept on the GPU while this is the current image. */
  tensor: TvmTensor | null;
}

const defaultCreateEngine: EngineFactory = async ({ appConfig, initProgressCallback }) => {
  const webllm = await import('@mlc-ai/web-llm');
  // The map of loaded pipelines is TS-private; checkWebLlmInternals verifies it at run time.
  return new webllm.MLCEngine({ appConfig, initProgressCallback, logLevel: 'WARN' }) as unknown as WebLlmEngine;
};

/**
 * The production decoder for the real 7B model: WebLLM loads, caches and compiles everything
 * (engine.reload), then this class drives the loaded pipeline's own packed functions so that the
 * ONNX image rows can be injected between text embeddings, which WebLLM's API cannot do.
 */
export class WebLlmDecoderBackend implements DecoderBackend {
  readonly description: string;
  private length = 0;
  /** What is in the KV cache, so it can be rebuilt when kv_state_popn is missing. */
  private history: Piece<ImageRows>[] = [];
  private image: ImageRows | null = null;
  private lostReason: string | null = null;
  /** A forward failed half-way: the KV cache may hold positions `length` does not count. */
  private stale = false;
  private disposed = false;
  private readonly kv: Record<keyof typeof KV_GLOBAL_FUNCS, PackedFunc>;
  private readonly popn: PackedFunc | null;

  private constructor(
    private readonly engine: WebLlmEngine,
    private readonly modelId: string,
    private readonly p: WebLlmPipeline,
    readonly quant: WebLlmQuant,
    private readonly hidden: number,
    private readonly contextWindow: number,
    /** The dtype of the lib's own embeddings: the image rows must match it for concatEmbeddings. */
    private readonly imageDtype: 'float16' | 'float32',
  ) {
    this.description = `webllm · ${quant}`;
    const { tvm } = p;
    tvm.beginScope();
    try {
      const get = (name: string) => tvm.detachFromCurrentScope(tvm.getGlobalFunc(name));
      this.kv = {
        beginForward: get(KV_GLOBAL_FUNCS.beginForward),
        endForward: get(KV_GLOBAL_FUNCS.endForward),
        clear: get(KV_GLOBAL_FUNCS.clear),
        addSequence: get(KV_GLOBAL_FUNCS.addSequence),
      };
      let popn: PackedFunc | null = null;
      try {
        popn = get(KV_POPN);
      } catch {
        popn = null; // registered by the TVM runtime inside the model lib, not by WebLLM
      }
      this.popn = popn;
    } finally {
      tvm.endScope();
    }
    this.watchDeviceLoss();
  }

  static async create(o: WebLlmBackendOptions): Promise<WebLlmDecoderBackend> {
    assertPinnedWebLlmVersion();
    const quant = chooseWebLlmQuant(o.manifest, o.gpuHasF16);
    const config = buildWebLlmAppConfig(o.manifest, o.manifestUrl, quant, o.cacheBackend);
    const engine = await (o.createEngine ?? defaultCreateEngine)({
      appConfig: config.appConfig,
      initProgressCallback: (report) => o.onProgress?.(report),
    });
    try {
      await engine.reload(config.modelId);
    } catch (err) {
      throw loadError(err, config.modelId);
    }
    // From here on the model is on the GPU: any refusal unloads it again.
    try {
      const map = (engine as Partial<WebLlmEngine>).loadedModelIdToPipeline;
      const pipeline = map instanceof Map ? map.get(config.modelId) : undefined;
      if (map instanceof Map && pipeline === undefined) {
        throw new ModelLoadError(`WebLLM finished loading without a pipeline for ${config.modelId} (was loading cancelled?).`, 'webllm-load');
      }
      const p = checkWebLlmInternals(engine, pipeline);
      const { imageTokens } = o.manifest.vision;
      if (p.prefillChunkSize < imageTokens) {
        throw new ModelLoadError(
          `The WebLLM model lib processes at most ${p.prefillChunkSize} positions per prefill, fewer than the ${imageTokens} image rows, which must go through in one piece. Use a lib compiled with prefill_chunk_size >= ${imageTokens}.`,
          'webllm-chunk',
        );
      }
      const hidden = o.manifest.decoder.hiddenSize;
      const dtype = probeEmbedding(p, o.manifest.decoder.bosTokenId, hidden);
      return new WebLlmDecoderBackend(engine, config.modelId, p, quant, hidden, config.spec.contextWindow, dtype);
    } catch (err) {
      await Promise.resolve()
        .then(() => engine.unload())
        .catch(() => {});
      throw err;
    }
  }

  get contextLimit(): number {
    return this.contextWindow;
  }

  get cacheLength(): number {
    return this.length;
  }

  /** Whether trimming uses kv_state_popn (else: clear the cache and prefill the kept prefix again). */
  get trimsInPlace(): boolean {
    return this.popn !== null;
  }

  async setImage(rows: Float32Array, count: number, dim: number): Promise<void> {
    if (dim !== this.hidden) throw new Error(`image rows are ${dim} wide; the decoder's hidden size is ${this.hidden}`);
    if (rows.length < count * dim) throw new Error(`expected ${count} x ${dim} image rows, got ${rows.length} values`);
    // The old rows stay referenced by the cache history (for a replay) but leave the GPU.
    this.releaseTensor(this.image);
    this.image = { rows, count, tensor: null };
  }

  async forward(segments: PromptSegment[]): Promise<Float32Array> {
    const pieces = segments.map((s): Piece<ImageRows> => {
      if (s.kind === 'text') return { kind: 'text', ids: s.ids };
      if (!this.image) throw new Error('the prompt has an image but no image rows were set');
      return { kind: 'image', image: this.image, from: 0, count: this.image.count };
    });
    const n = pieces.reduce((sum, piece) => sum + pieceLength(piece), 0);
    if (n === 0) throw new Error('forward() needs at least one position');
    if (this.length + n > this.contextWindow) {
      throw new GenerationError(`The conversation needs ${this.length + n} positions; the model's context holds ${this.contextWindow}.`, 'context-full');
    }
    return this.guard(async () => {
      if (this.stale) await this.rebuild(this.history);
      return (await this.run(pieces, true))!;
    });
  }

  async trimCache(length: number): Promise<void> {
    if (length >= this.length && !this.stale) return;
    await this.guard(async () => {
      const keep = truncatePieces(this.history, length);
      if (length > 0 && !this.stale && this.popn && this.popIn(this.popn, this.length - length)) {
        this.length = length;
        this.history = keep;
        return;
      }
      await this.rebuild(keep);
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.releaseTensor(this.image);
      for (const f of [...Object.values(this.kv), this.popn]) f?.dispose?.();
    } catch {
      // The runtime may already be gone (device lost); unload() below frees everything anyway.
    }
    this.history = [];
    await this.engine.unload();
  }

  /** KVState.PopN(seq 0, n); false when the runtime refuses (the caller then replays instead). */
  private popIn(popn: PackedFunc, n: number): boolean {
    const { tvm, kvCache } = this.p;
    tvm.beginScope();
    try {
      popn(kvCache, tvm.scalar(0, 'int64'), tvm.scalar(n, 'int32'));
      return true;
    } catch {
      return false;
    } finally {
      tvm.endScope();
    }
  }

  /** kv_state_clear + kv_state_add_sequence(0), exactly what WebLLM's resetKVCache does. */
  private clearCache(): void {
    const { tvm, kvCache } = this.p;
    tvm.beginScope();
    try {
      this.kv.clear(kvCache);
      this.kv.addSequence(kvCache, tvm.scalar(0, 'int64'));
    } finally {
      tvm.endScope();
    }
    this.length = 0;
    this.history = [];
  }

  /** Empties the KV cache and prefills `pieces` again: trimming without popn, or recovery. */
  private async rebuild(pieces: Piece<ImageRows>[]): Promise<void> {
    this.clearCache();
    this.stale = false;
    if (pieces.length) await this.run(pieces, false);
  }

  /** Runs the pieces through the model chunk by chunk; returns the last position's logits. */
  private async run(pieces: Piece<ImageRows>[], wantLogits: boolean): Promise<Float32Array | null> {
    const { tvm } = this.p;
    const chunks = planChunks(pieces, this.p.prefillChunkSize);
    let onCpu: TvmTensor | null = null;
    try {
      for (const [i, chunk] of chunks.entries()) {
        tvm.beginScope();
        try {
          let logits: TvmTensor;
          try {
            logits = this.forwardChunk(chunk);
          } catch (err) {
            // begin_forward may already have grown the sequence: rebuild it before the next use.
            this.stale = true;
            throw err;
          }
          if (wantLogits && i === chunks.length - 1) {
            // Detached so it outlives this scope until the copy has landed (device.sync below).
            onCpu = tvm.detachFromCurrentScope(tvm.empty(logits.shape, logits.dtype, tvm.cpu()));
            onCpu.copyFrom(logits);
          }
        } finally {
          tvm.endScope();
        }
        for (const piece of chunk) this.record(piece);
      }
      if (!onCpu) return null;
      await this.p.device.sync();
      return readLogits(onCpu);
    } finally {
      onCpu?.dispose();
    }
  }

  /** One forward: embed text, join with image rows, begin_forward / prefill|decode / end_forward. */
  private forwardChunk(chunk: Piece<ImageRows>[]): TvmTensor {
    const { tvm, device, params, kvCache } = this.p;
    const parts = chunk.map((piece) => {
      if (piece.kind === 'image') return this.imageTensor(piece);
      const ids = tvm.empty([piece.ids.length], 'int32', device).copyFrom(Int32Array.from(piece.ids));
      return this.p.embed(ids, params) as TvmTensor;
    });
    const joined = parts.length === 1 ? parts[0]! : tvm.concatEmbeddings(parts);
    const len = joined.shape[0]!;
    const embeds = joined.view([1, len, joined.shape[1]!]);
    this.kv.beginForward(kvCache, tvm.makeShapeTuple([0]), tvm.makeShapeTuple([len]));
    const out = (len > 1 ? this.p.prefill : this.p.decoding)(embeds, kvCache, params) as TvmArray;
    this.kv.endForward(kvCache);
    return out.get(0);
  }

  /** The image rows as a [count, hidden] tensor on the pipeline's device (f16 for q4f16_1). */
  private imageTensor(piece: Extract<Piece<ImageRows>, { kind: 'image' }>): TvmTensor {
    const { tvm, device } = this.p;
    const img = piece.image;
    const whole = piece.from === 0 && piece.count === img.count;
    if (whole && img.tensor) return img.tensor;
    const values = img.rows.subarray(piece.from * this.hidden, (piece.from + piece.count) * this.hidden);
    const data = this.imageDtype === 'float16' ? float32ToFloat16Array(values) : values;
    const t = tvm.empty([piece.count, this.hidden], this.imageDtype, device);
    t.copyFromRawBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    // The current image stays on the GPU (follow-ups reuse it); a replayed part of an old one does not.
    if (whole && img === this.image) img.tensor = tvm.detachFromCurrentScope(t);
    return t;
  }

  private record(piece: Piece<ImageRows>): void {
    const last = this.history[this.history.length - 1];
    // History text arrays are this class's own copies, so appending in place is safe.
    if (piece.kind === 'text' && last?.kind === 'text') last.ids.push(...piece.ids);
    else this.history.push(piece.kind === 'text' ? { kind: 'text', ids: [...piece.ids] } : piece);
    this.length += pieceLength(piece);
  }

  private releaseTensor(img: ImageRows | null): void {
    img?.tensor?.dispose();
    if (img) img.tensor = null;
  }

  /** Maps failures after a lost GPU device to DeviceLostError; other errors pass unchanged. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new Error('the webllm backend has been disposed');
    this.throwIfLost();
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.throwIfLost(err);
      throw err;
    }
  }

  private throwIfLost(err?: unknown): void {
    const msg = err instanceof Error ? err.message : '';
    const gone = this.engine.loadedModelIdToPipeline.get(this.modelId) !== this.p;
    if (this.lostReason !== null || gone || /device (was )?lost|lost device|already been disposed/i.test(msg)) {
      throw new DeviceLostError(
        `The GPU device was lost (${this.lostReason || msg || 'WebLLM unloaded the model'}); this often means it ran out of memory. Reload the model.`,
        'device-lost',
      );
    }
  }

  /**
   * Best effort, through a further private path (tvm.lib.webGPUContext.device): when present, its
   * `lost` promise says so at once; otherwise loss shows up as WebLLM unloading the pipeline.
   */
  private watchDeviceLoss(): void {
    const gpu = (this.p.tvm as unknown as { lib?: { webGPUContext?: { device?: GPUDevice } } }).lib?.webGPUContext?.device;
    void gpu?.lost?.then((info) => {
      if (!this.disposed && info.reason !== 'destroyed') this.lostReason = info.message || 'unknown reason';
    });
  }
}

/**
 * Embeds one token to learn the lib's embedding dtype and width: a lib that does not match the
 * manifest (another hidden size, or bf16 embeddings) is refused here rather than mid-prefill.
 */
function probeEmbedding(p: WebLlmPipeline, tokenId: number, hidden: number): 'float16' | 'float32' {
  const { tvm } = p;
  tvm.beginScope();
  try {
    const ids = tvm.empty([1], 'int32', p.device).copyFrom([tokenId]);
    const e = p.embed(ids, p.params) as TvmTensor;
    if (e.shape.length !== 2 || e.shape[1] !== hidden) {
      throw new ModelLoadError(`The WebLLM model lib embeds tokens as [${e.shape.join(', ')}]; the manifest says the hidden size is ${hidden}.`, 'webllm-mismatch');
    }
    if (e.dtype !== 'float16' && e.dtype !== 'float32') {
      throw new WebLlmInternalsError(`The WebLLM model lib's embeddings are ${e.dtype}; image rows can be injected only as float16 or float32.`, 'webllm-internals');
    }
    return e.dtype;
  } finally {
    tvm.endScope();
  }
}

function readLogits(t: TvmTensor): Float32Array {
  const bytes = t.toRawBytes().slice();
  const vocab = t.shape[t.shape.length - 1]!;
  let all: Float32Array;
  if (t.dtype === 'float32') all = new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
  else if (t.dtype === 'float16') all = float16ToFloat32Array(new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2));
  else throw new WebLlmInternalsError(`the model lib returned logits of dtype ${t.dtype}`, 'webllm-internals');
  return all.slice(all.length - vocab);
}

/** WebLLM's load errors by name (its classes are not exported) -> the app's error classes. */
function loadError(err: unknown, modelId: string): Error {
  const name = err instanceof Error ? err.name : '';
  const msg = err instanceof Error ? err.message : String(err);
  if (name === 'WebGPUNotAvailableError') return new WebGpuUnavailableError(msg, 'no-webgpu');
  if (name === 'ShaderF16SupportError') return new WebGpuUnavailableError(msg, 'no-shader-f16');
  if (name === 'FeatureSupportError') return new WebGpuUnavailableError(msg, 'gpu-feature');
  if (name === 'DeviceLostError') return new DeviceLostError(msg, 'device-lost');
  return new ModelLoadError(`WebLLM could not load ${modelId}: ${msg}`, 'webllm-load');
}
