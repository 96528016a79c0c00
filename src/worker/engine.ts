import type * as Ort from 'onnxruntime-web';
import type { CapabilityReport } from '../capabilities/types';
import { VisionEncoder } from '../encode/vision-encoder';
import type { DecoderBackend } from '../generate/backend';
import { OnnxDecoderBackend } from '../generate/backends/onnx-backend';
import { ChatSession } from '../generate/chat-session';
import { presetUserText } from '../generate/prompt';
import { createTokenizer, type TextTokenizer, type WebTokenizerClass } from '../generate/tokenizer';
import { formatBytes } from '../capabilities/format';
import { ArtifactError, bytesToDownload, fetchArtifact, manifestFile } from '../model/artifacts';
import { parseManifest } from '../model/catalog';
import { fetchManifestText } from '../model/manifest-cache';
import type { ModelManifest } from '../model/manifest';
import { preprocessGray } from '../preprocess/preprocess';
import { DeviceLostError, GenerationError, ModelLoadError, ModelNotLoadedError, NoImageError, WebGpuUnavailableError } from './errors';
import type { EncodedInfo, ExecutionProvider, GenerateOptions, GrayImage, HistoryTurn, LoadedInfo, LoadOptions, Reply } from './protocol';

/** What differs between the browser worker and Node: everything else is shared. */
export interface EngineHost {
  ort: typeof Ort;
  loadTokenizers(): Promise<WebTokenizerClass>;
  probe(): Promise<CapabilityReport>;
  fetchFn: typeof fetch;
  now(): number;
  /** Told once when the WebGPU device is lost (the engine is then unusable). */
  onDeviceLost?(message: string): void;
  /** Storage quota and usage, where the host has a Storage API (browsers). */
  storageEstimate?(): Promise<{ quota: number; usage: number }>;
}

export type Emit = (reply: Reply) => void;

interface Loaded {
  manifest: ModelManifest;
  baseUrl: string;
  vision: VisionEncoder;
  backend: DecoderBackend;
  tokenizer: TextTokenizer;
  info: LoadedInfo;
}

/**
 * Owns the models: load, encode one image, generate answers about it. Plain TypeScript with no
 * DOM, driven by the worker entry in the app and directly by the CLI in Node.
 */
export class InferenceEngine {
  private loaded: Loaded | null = null;
  private chat: ChatSession | null = null;
  private abort: AbortController | null = null;

  constructor(private readonly host: EngineHost) {}

  get isLoaded(): boolean {
    return this.loaded !== null;
  }

  async load(options: LoadOptions, emit: Emit): Promise<LoadedInfo> {
    const t0 = this.host.now();
    await this.dispose();
    const manifestRes = await fetchManifestText(options.manifestUrl, this.host.fetchFn).catch((err: unknown) => {
      throw new ModelLoadError(`Could not fetch the model manifest at ${options.manifestUrl}: ${String(err)}`, 'manifest-fetch');
    });
    if (manifestRes.status !== 200) {
      throw new ModelLoadError(
        manifestRes.status ? `The model manifest at ${options.manifestUrl} answered ${manifestRes.status}.` : `This device is offline and has never loaded the model at ${options.manifestUrl}.`,
        'manifest-fetch',
      );
    }
    let manifest: ModelManifest;
    try {
      manifest = parseManifest(manifestRes.text);
    } catch (err) {
      throw new ModelLoadError(`${options.manifestUrl} is not a usable model manifest: ${(err as Error).message}`, 'manifest-invalid');
    }
    const caps = await this.host.probe();
    const provider = this.chooseProvider(options.executionProvider, caps);
    const useFp16 = provider === 'webgpu' && caps.webgpu.available && caps.webgpu.shaderF16 && !!manifest.vision.onnx.fp16;
    const visionPath = useFp16 ? manifest.vision.onnx.fp16! : manifest.vision.onnx.fp32;
    const useWebLlm = this.chooseDecoder(manifest, caps, options);
    if (!useWebLlm && !manifest.decoder.onnx) {
      throw new ModelLoadError(`${manifest.name} has neither an ONNX decoder nor a WebLLM model library this device can run.`, 'no-backend');
    }
    const base = new URL('.', resolveUrl(options.manifestUrl)).href;
    const get = (path: string) =>
      fetchArtifact(base, manifestFile(manifest, path), (file) => emit({ kind: 'progress', stage: 'download', file, message: `Downloading ${file.path}` }), this.host.fetchFn);

    const paths = [visionPath, manifest.tokenizer.json, ...(useWebLlm ? [] : [manifest.decoder.onnx!.embed, manifest.decoder.onnx!.decoder])];
    await this.checkStorage(await bytesToDownload(base, manifest, paths).catch(() => 0));
    // Every download runs to its end even when one fails, so whatever finished is cached and a
    // retry fetches only what is missing.
    const settled = await Promise.allSettled(paths.map(get));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const err: unknown = failed.reason;
      if (err instanceof ArtifactError) throw new ModelLoadError(err.message, err.code);
      throw err;
    }
    const files = settled.map((r) => (r as PromiseFulfilledResult<Uint8Array>).value);
    const [visionBytes, tokenizerBytes, embedBytes, decoderBytes] = files as [Uint8Array, Uint8Array, Uint8Array?, Uint8Array?];
    emit({ kind: 'progress', stage: 'compile', message: `Creating ONNX Runtime sessions (${provider})` });
    let vision: VisionEncoder;
    let backend: DecoderBackend;
    try {
      vision = await VisionEncoder.create(this.host.ort, visionBytes, manifest.vision, provider);
      if (provider === 'webgpu') void this.watchDevice();
      if (useWebLlm) {
        // WebLLM downloads, caches (its own cache) and compiles the 4-bit decoder itself.
        const { WebLlmDecoderBackend } = await import('../generate/backends/webllm');
        backend = await WebLlmDecoderBackend.create({
          manifest,
          manifestUrl: resolveUrl(options.manifestUrl),
          gpuHasF16: caps.webgpu.available && caps.webgpu.shaderF16,
          onProgress: (r) => emit({ kind: 'progress', stage: 'compile', message: r.text }),
        });
      } else {
        backend = await OnnxDecoderBackend.create({
          ort: this.host.ort,
          embedModel: embedBytes!,
          decoderModel: decoderBytes!,
          spec: manifest.decoder,
          executionProvider: provider,
        });
      }
    } catch (err) {
      throw asOutOfMemory(err, manifest, caps) ?? err;
    }
    const tokenizer = await createTokenizer(await this.host.loadTokenizers(), tokenizerBytes, { legacy: manifest.tokenizer.legacy });
    const info: LoadedInfo = {
      modelId: manifest.id,
      modelName: manifest.name,
      randomWeights: manifest.randomWeights,
      backend: backend.description,
      visionProvider: provider,
      visionDtype: useFp16 ? 'fp16' : 'fp32',
      loadMs: this.host.now() - t0,
    };
    this.loaded = { manifest, baseUrl: base, vision, backend, tokenizer, info };
    return info;
  }

  async encode(image: GrayImage, history: HistoryTurn[] = []): Promise<EncodedInfo> {
    const loaded = this.requireLoaded();
    const t0 = this.host.now();
    const pre = preprocessGray(image, loaded.manifest.vision);
    const t1 = this.host.now();
    const rows = await loaded.vision.encode(pre.tensor);
    const t2 = this.host.now();
    await loaded.backend.trimCache(0);
    await loaded.backend.setImage(rows.rows, rows.count, rows.dim);
    this.chat = new ChatSession(loaded.backend, loaded.tokenizer, loaded.manifest, this.host.now);
    if (history.length) this.chat.seed(history.map((t, i) => ({ user: this.userText(t.preset, t.question ?? '', i === 0), assistant: t.answer })));
    return { preprocessMs: t1 - t0, encodeMs: t2 - t1 };
  }

  /** Streams one answer; the image goes with the first turn of a conversation only. */
  async generate(options: GenerateOptions, emit: Emit): Promise<void> {
    this.requireLoaded();
    if (!this.chat) throw new NoImageError('Open an image first: there is nothing to report on yet.', 'no-image');
    if (this.abort) throw new GenerationError('A generation is already running.', 'busy');
    const userText = this.userText(options.preset, options.question ?? '', this.chat.history.length === 0);
    const abort = new AbortController();
    this.abort = abort;
    let prefill = { promptTokens: 0, reusedTokens: 0, prefillMs: 0 };
    try {
      for await (const e of this.chat.ask(userText, {
        temperature: options.temperature,
        topP: options.topP,
        seed: options.seed,
        maxNewTokens: options.maxNewTokens,
        signal: abort.signal,
      })) {
        if (e.type === 'prefill') {
          prefill = e;
          emit({ kind: 'prefill', promptTokens: e.promptTokens, reusedTokens: e.reusedTokens, prefillMs: e.prefillMs, budget: e.budget });
        } else if (e.type === 'delta') {
          emit({ kind: 'delta', text: e.text, tokens: e.tokens, tokensPerSecond: e.tokensPerSecond });
        } else {
          emit({
            kind: 'complete',
            info: {
              text: e.text,
              tokenIds: e.tokenIds,
              reason: e.reason,
              promptTokens: e.promptTokens,
              reusedTokens: prefill.reusedTokens,
              prefillMs: e.prefillMs,
              timeToFirstTokenMs: e.timeToFirstTokenMs,
              tokensPerSecond: e.tokensPerSecond,
            },
          });
        }
      }
    } catch (err) {
      if (this.lost) throw new DeviceLostError(`${this.lost} Reload the model to continue; your report and chat are kept.`, 'device-lost');
      throw err;
    } finally {
      this.abort = null;
    }
  }

  /** The image goes with the first turn of a conversation only, as in the reference. */
  private userText(preset: GenerateOptions['preset'], question: string, first: boolean): string {
    const { prompts } = this.requireLoaded().manifest;
    const text = presetUserText(prompts, preset, question);
    return first ? text : text.replace(prompts.imageToken, '').replace(/^\n/, '');
  }

  private lost: string | null = null;

  /** ORT's WebGPU device: when it is lost, nothing on it can be used again. */
  private async watchDevice(): Promise<void> {
    const device = await Promise.resolve(this.host.ort.env.webgpu.device).catch(() => null);
    if (!device || (device as GPUDevice & { __cxrWatched?: boolean }).__cxrWatched) return;
    (device as GPUDevice & { __cxrWatched?: boolean }).__cxrWatched = true;
    void device.lost.then((info) => {
      this.lost = `The GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}).`;
      this.abort?.abort();
      this.loaded = null;
      this.chat = null;
      this.host.onDeviceLost?.(this.lost);
    });
  }

  /** Test hook: destroys ORT's WebGPU device. */
  async destroyDeviceForTest(): Promise<void> {
    const device = await Promise.resolve(this.host.ort.env.webgpu.device).catch(() => null);
    if (!device) throw new WebGpuUnavailableError('No WebGPU device is in use.', 'no-webgpu');
    device.destroy();
  }

  interrupt(): void {
    this.abort?.abort();
  }

  /** A new conversation on the same image: the rows and the cached image prefix are kept. */
  reset(): void {
    this.chat?.reset();
  }

  async dispose(): Promise<void> {
    this.abort?.abort();
    const l = this.loaded;
    this.loaded = null;
    this.chat = null;
    if (l) {
      await l.vision.dispose();
      await l.backend.dispose();
      l.tokenizer.dispose();
    }
  }

  /**
   * WebLLM (the 4-bit production decoder) when the manifest names a compiled model library and
   * there is a GPU; the ONNX decoder otherwise (the demo model, wasm-only machines, or when the
   * user forces a provider for the ONNX stages).
   */
  private chooseDecoder(manifest: ModelManifest, caps: CapabilityReport, options: LoadOptions): boolean {
    const lib = manifest.decoder.webllm;
    const hasLib = !!(lib?.q4f16_1?.modelLib || lib?.q4f32_1?.modelLib);
    if (!hasLib || !caps.webgpu.available || options.executionProvider === 'wasm') return false;
    if (options.decoderBackend === 'onnx' && manifest.decoder.onnx) return false;
    return true;
  }

  /** Fails before any download when the browser's storage quota cannot hold the files. */
  private async checkStorage(needed: number): Promise<void> {
    const estimate = await this.host.storageEstimate?.().catch(() => null);
    if (!estimate || !needed) return;
    const free = Math.max(0, estimate.quota - estimate.usage);
    if (needed > free) {
      throw new ModelLoadError(
        `Not enough browser storage for the model: it needs ${formatBytes(needed)} more and ${formatBytes(free)} is available. Free space (or clear other site data) and try again.`,
        'quota',
      );
    }
  }

  private chooseProvider(forced: ExecutionProvider | undefined, caps: CapabilityReport): ExecutionProvider {
    if (forced === 'webgpu' && !caps.webgpu.available) {
      throw new WebGpuUnavailableError(`WebGPU was requested but is not available: ${caps.webgpu.reason}`, 'no-webgpu');
    }
    return forced ?? (caps.webgpu.available ? 'webgpu' : 'wasm');
  }

  private requireLoaded(): Loaded {
    if (this.lost) throw new DeviceLostError(`${this.lost} Reload the model to continue; your report and chat are kept.`, 'device-lost');
    if (!this.loaded) throw new ModelNotLoadedError('No model is loaded yet.', 'not-loaded');
    return this.loaded;
  }
}

function resolveUrl(url: string): string {
  const base = typeof location !== 'undefined' ? location.href : 'file:///';
  return new URL(url, base).href;
}

/**
 * Allocation failures while the model goes onto the GPU become one clear message: what the model
 * needs and what the adapter offers. (Browsers do not report free GPU memory, so this is known only
 * when it fails, or up front when a single file exceeds the adapter's largest buffer.)
 */
export function asOutOfMemory(err: unknown, manifest: ModelManifest, caps: CapabilityReport): ModelLoadError | null {
  const text = err instanceof Error ? err.message : String(err);
  if (!/out of memory|oom|allocat|exceeds|too large|maxBufferSize|maxStorageBufferBindingSize/i.test(text)) return null;
  const quant = manifest.decoder.webllm?.q4f16_1 ?? manifest.decoder.webllm?.q4f32_1;
  const needed = quant?.vramBytes ?? manifest.files.reduce((n, f) => n + f.bytes, 0);
  const offers = caps.webgpu.available
    ? `the GPU adapter allows buffers of at most ${formatBytes(caps.webgpu.maxBufferSize)} (storage binding ${formatBytes(caps.webgpu.maxStorageBufferBindingSize)})`
    : 'there is no WebGPU adapter';
  return new ModelLoadError(
    `The GPU ran out of memory loading ${manifest.name}: it needs about ${formatBytes(needed)}, and ${offers}. Close other GPU-heavy tabs, or choose wasm in Settings. (${text})`,
    'out-of-memory',
  );
}
