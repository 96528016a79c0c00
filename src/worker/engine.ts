import type * as Ort from 'onnxruntime-web';
import { chooseProviders, needsProbe, probeCacheKey, type ProviderChoices, type ProviderProbeResult } from '../capabilities/choose-provider';
import { measureProviders } from '../capabilities/provider-probe';
import type { CapabilityReport } from '../capabilities/types';
import type { OrtThreads } from '../encode/ort-env';
import { VisionEncoder } from '../encode/vision-encoder';
import type { DecoderBackend } from '../generate/backend';
import { OnnxDecoderBackend } from '../generate/backends/onnx-backend';
import { ChatSession } from '../generate/chat-session';
import { presetUserText } from '../generate/prompt';
import { warmUpUntilSteady } from '../generate/warm-up';
import { createTokenizer, type TextTokenizer, type WebTokenizerClass } from '../generate/tokenizer';
import { ArtifactError, bytesToDownload, fetchArtifact, manifestFile } from '../model/artifacts';
import { parseManifest } from '../model/catalog';
import { fetchManifestText } from '../model/manifest-cache';
import type { ModelManifest } from '../model/manifest';
import { preprocessGray } from '../preprocess/preprocess';
import type { Precision } from '../selfcheck/compare';
import { parseSelfCheck } from '../selfcheck/reference';
import { runSelfCheck, type SelfCheckResult } from '../selfcheck/run';
import { DeviceLostError, GenerationError, ModelLoadError, ModelNotLoadedError, NoImageError, WebGpuUnavailableError } from './errors';
import { asOutOfMemory, checkStorage, chooseDecoder, resolveUrl, webLlmDownloadBytes } from './load-plan';
import type { EncodedInfo, ExecutionProvider, GenerateOptions, GrayImage, HistoryTurn, LoadedInfo, LoadOptions, PrimeRequest, Reply } from './protocol';

/** What differs between the browser worker and Node: everything else is shared. */
export interface EngineHost {
  ort: typeof Ort;
  /** Which of ORT's browser builds `ort` is (encode/ort-env.ts); unset in Node. */
  ortBuild?: string;
  /** ORT's wasm thread pool as the host configured it (encode/ort-env.ts); unset in Node. */
  ortThreads?: OrtThreads;
  loadTokenizers(): Promise<WebTokenizerClass>;
  probe(): Promise<CapabilityReport>;
  fetchFn: typeof fetch;
  now(): number;
  /** Told once when the WebGPU device is lost (the engine is then unusable). */
  onDeviceLost?(message: string): void;
  /** Storage quota and usage, where the host has a Storage API (browsers). */
  storageEstimate?(): Promise<{ quota: number; usage: number }>;
  /** Keeps provider-probe results per device and runtime version (IndexedDB in browsers). */
  probeCache?: {
    get(key: string): Promise<ProviderProbeResult | undefined>;
    set(key: string, value: ProviderProbeResult): Promise<void>;
  };
}

export type Emit = (reply: Reply) => void;

interface Loaded {
  manifest: ModelManifest;
  baseUrl: string;
  vision: VisionEncoder;
  backend: DecoderBackend;
  tokenizer: TextTokenizer;
  info: LoadedInfo;
  /** The selfcheck.json decoder reference that matches the decoder in use (models/selfcheck.py). */
  decoderReference: string;
  precision: Precision;
}

/**
 * Owns the models: load, encode one image, generate answers about it. Plain TypeScript with no
 * DOM, driven by the worker entry in the app and directly by the CLI in Node.
 */
export class InferenceEngine {
  private loaded: Loaded | null = null;
  private chat: ChatSession | null = null;
  /**
   * Every generation and self-check from the moment it is asked for (it may wait its turn behind
   * an encode) until it ends: an interrupt stops those that have started and those still
   * waiting, so a Stop or a newly opened image never lets a queued answer run to its end.
   */
  private readonly stoppable = new Set<AbortController>();
  /** The open image's rows, kept so a self-check can hand the backend back as it was. */
  private imageRows: { rows: Float32Array; count: number; dim: number } | null = null;

  constructor(private readonly host: EngineHost) {}

  /**
   * The worker answers messages as they come, so an encode (an image opened as the model
   * finished loading), the self-check and a generation could otherwise interleave their session
   * runs and KV-cache edits. One at a time, in arrival order: ORT's native WebGPU EP shares one
   * command encoder between sessions and does not survive concurrent runs (microsoft/onnxruntime
   * #32561), and the decoder's cache belongs to one conversation at a time.
   */
  private queue: Promise<unknown> = Promise.resolve();
  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

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
    const providers = await this.chooseProviders(options.executionProvider, caps, emit);
    const provider = providers.vision.provider;
    const useFp16 = provider === 'webgpu' && caps.webgpu.available && caps.webgpu.shaderF16 && !!manifest.vision.onnx.fp16;
    const visionPath = useFp16 ? manifest.vision.onnx.fp16! : manifest.vision.onnx.fp32;
    const useWebLlm = chooseDecoder(manifest, caps, options);
    if (!useWebLlm && !manifest.decoder.onnx) {
      throw new ModelLoadError(`${manifest.name} has neither an ONNX decoder nor a WebLLM model library this device can run.`, 'no-backend');
    }
    const base = new URL('.', resolveUrl(options.manifestUrl)).href;
    const get = (path: string) =>
      fetchArtifact(base, manifestFile(manifest, path), (file) => emit({ kind: 'progress', stage: 'download', file, message: `Downloading ${file.path}` }), this.host.fetchFn);

    const paths = [visionPath, manifest.tokenizer.json, ...(useWebLlm ? [] : [manifest.decoder.onnx!.embed, manifest.decoder.onnx!.decoder])];
    const appBytes = await bytesToDownload(base, manifest, paths).catch(() => 0);
    const webLlmBytes = useWebLlm ? await webLlmDownloadBytes(base, manifest, caps).catch(() => 0) : 0;
    await checkStorage(await this.host.storageEstimate?.().catch(() => null), appBytes + webLlmBytes);
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
          executionProvider: providers.decoder.provider,
        });
      }
    } catch (err) {
      throw asOutOfMemory(err, manifest, caps) ?? err;
    }
    const tokenizer = await createTokenizer(await this.host.loadTokenizers(), tokenizerBytes, { legacy: manifest.tokenizer.legacy });
    // The ONNX decoder is the checkpoint's weights in float32; WebLLM runs one q4 variant.
    const quant = useWebLlm ? (backend as { quant?: string }).quant ?? 'q4f32_1' : null;
    const warmupMs = options.warmUp === false ? 0 : await this.warmUp({ manifest, vision, backend, tokenizer }, provider === 'webgpu' || providers.decoder.provider === 'webgpu' || useWebLlm, emit);
    const info: LoadedInfo = {
      modelId: manifest.id,
      modelName: manifest.name,
      randomWeights: manifest.randomWeights,
      backend: backend.description,
      visionProvider: provider,
      providers,
      visionDtype: useFp16 ? 'fp16' : 'fp32',
      loadMs: this.host.now() - t0,
      warmupMs,
      ...(this.host.ortThreads ? { wasmThreads: this.host.ortThreads } : {}),
    };
    this.loaded = {
      manifest,
      baseUrl: base,
      vision,
      backend,
      tokenizer,
      info,
      decoderReference: quant ?? 'checkpoint',
      precision: useFp16 || quant === 'q4f16_1' ? 'fp16' : 'fp32',
    };
    this.imageRows = null;
    return info;
  }

  /** See generate/warm-up.ts; the model panel shows each step. */
  private async warmUp(m: Pick<Loaded, 'manifest' | 'vision' | 'backend' | 'tokenizer'>, onGpu: boolean, emit: Emit): Promise<number> {
    const what = onGpu ? 'Preparing GPU kernels' : 'Warming up';
    const say = (round: number, step: number, text: string) =>
      emit({ kind: 'progress', stage: 'warmup', step, steps: 3, message: round === 1 ? `${what} (${step}/3: ${text})` : `${what}: settling, round ${round} (${step}/3: ${text})` });
    return (await warmUpUntilSteady(m, say, this.host.now)).totalMs;
  }

  /**
   * Preprocesses and encodes one image, and starts a conversation about it. With `prime`, the
   * prompt that question would send (system prompt, image rows, the question) is prefilled now,
   * so generating it later starts from a warm KV cache.
   */
  async encode(image: GrayImage, history: HistoryTurn[] = [], prime?: PrimeRequest): Promise<EncodedInfo> {
    this.requireLoaded();
    return this.oneAtATime(() => this.encodeNow(image, history, prime));
  }

  private async encodeNow(image: GrayImage, history: HistoryTurn[], prime?: PrimeRequest): Promise<EncodedInfo> {
    const loaded = this.requireLoaded();
    const t0 = this.host.now();
    const pre = preprocessGray(image, loaded.manifest.vision);
    const t1 = this.host.now();
    const rows = await loaded.vision.encode(pre.tensor);
    const t2 = this.host.now();
    await loaded.backend.trimCache(0);
    await loaded.backend.setImage(rows.rows, rows.count, rows.dim);
    this.imageRows = rows;
    this.chat = new ChatSession(loaded.backend, loaded.tokenizer, loaded.manifest, this.host.now);
    if (history.length) this.chat.seed(history.map((t, i) => ({ user: this.userText(t.preset, t.question ?? '', i === 0), assistant: t.answer })));
    const info: EncodedInfo = { preprocessMs: t1 - t0, encodeMs: t2 - t1 };
    if (prime && !history.length) {
      const p = await this.chat.prime(this.userText(prime.preset, prime.question ?? '', true));
      info.primeMs = p.prefillMs;
      info.primeTokens = p.promptTokens;
    }
    return info;
  }

  /**
   * Runs the sample radiograph (already decoded by the caller) through this device's stages and
   * compares them with the model folder's selfcheck.json. null when the folder has none (converted
   * before it existed). The open image and its conversation are kept: the rows are set back and
   * the next question prefills again.
   */
  async selfCheck(image: GrayImage, sampleSha256: string, emit: Emit): Promise<SelfCheckResult | null> {
    this.requireLoaded();
    if (this.stoppable.size) throw new GenerationError('A generation is running; verify the model when it has finished.', 'busy');
    const abort = this.asked();
    return this.oneAtATime(() => this.selfCheckNow(image, sampleSha256, emit, abort)).finally(() => this.stoppable.delete(abort));
  }

  /** A stoppable request, counted from its arrival. */
  private asked(): AbortController {
    const abort = new AbortController();
    this.stoppable.add(abort);
    return abort;
  }

  private async selfCheckNow(image: GrayImage, sampleSha256: string, emit: Emit, abort: AbortController): Promise<SelfCheckResult | null> {
    const loaded = this.requireLoaded();
    const path = loaded.manifest.selfCheck;
    if (!path) return null;
    const bytes = await fetchArtifact(loaded.baseUrl, manifestFile(loaded.manifest, path), (file) => emit({ kind: 'progress', stage: 'download', file, message: `Downloading ${file.path}` }), this.host.fetchFn).catch(
      (err: unknown) => {
        throw err instanceof ArtifactError ? new ModelLoadError(err.message, err.code) : err;
      },
    );
    const reference = parseSelfCheck(new TextDecoder().decode(bytes));
    // interrupt() stops it like a generation: a report asked for meanwhile goes first.
    const held = this.chat?.holding();
    let completed = false;
    try {
      const result = await runSelfCheck(image, {
        manifest: loaded.manifest,
        reference,
        decoderReference: loaded.decoderReference,
        precision: loaded.precision,
        encode: (pixels) => loaded.vision.encode(pixels),
        backend: loaded.backend,
        tokenizer: loaded.tokenizer,
        sampleSha256,
        now: () => this.host.now(),
        signal: abort.signal,
      });
      completed = !result.interrupted;
      return result;
    } finally {
      await loaded.backend.trimCache(0);
      if (this.imageRows) await loaded.backend.setImage(this.imageRows.rows, this.imageRows.count, this.imageRows.dim);
      // A check that ran to its end did so while the user was reading: the conversation's prompt
      // is prefilled again now, so the next answer starts as warm as before. One that gave way to
      // a request leaves it to that request, which prefills what it needs anyway.
      if (this.chat && held && completed) await this.chat.refill(held);
      else this.chat?.forgetCache();
    }
  }

  /** Streams one answer; the image goes with the first turn of a conversation only. */
  async generate(options: GenerateOptions, emit: Emit): Promise<void> {
    this.requireLoaded();
    if (this.stoppable.size) throw new GenerationError('A generation is already running.', 'busy');
    const abort = this.asked();
    return this.oneAtATime(() => this.generateNow(options, emit, abort)).finally(() => this.stoppable.delete(abort));
  }

  private async generateNow(options: GenerateOptions, emit: Emit, abort: AbortController): Promise<void> {
    this.requireLoaded();
    if (!this.chat) throw new NoImageError('Open an image first: there is nothing to report on yet.', 'no-image');
    // Stopped while it waited its turn: no prefill, no words, the conversation as it was.
    if (abort.signal.aborted) {
      emit({ kind: 'complete', info: { text: '', tokenIds: [], reason: 'interrupted', promptTokens: 0, reusedTokens: 0, prefillMs: 0, timeToFirstTokenMs: 0, tokensPerSecond: 0 } });
      return;
    }
    const userText = this.userText(options.preset, options.question ?? '', this.chat.history.length === 0);
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
          emit({ kind: 'delta', text: e.text, tokens: e.tokens, tokensPerSecond: e.tokensPerSecond, timeToFirstTokenMs: e.timeToFirstTokenMs });
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
    }
  }

  /** The image goes with the first turn of a conversation only, as in the reference. */
  private userText(preset: GenerateOptions['preset'], question: string, first: boolean): string {
    const { prompts } = this.requireLoaded().manifest;
    const text = presetUserText(prompts, preset, question);
    return first ? text : text.replace(prompts.imageToken, '').replace(/^\n/, '');
  }

  private lost: string | null = null;
  /** The device the loaded sessions run on; null once they are released on purpose. */
  private watchedDevice: GPUDevice | null = null;

  /**
   * ORT's WebGPU device: when it is lost, nothing on it can be used again. ORT's native WebGPU EP
   * destroys its device when the last session on it is released, so a loss after our own
   * dispose() (a reload, another provider) is not one to report.
   */
  private async watchDevice(): Promise<void> {
    const device = await Promise.resolve(this.host.ort.env.webgpu.device).catch(() => null);
    if (!device) return;
    this.watchedDevice = device;
    if ((device as GPUDevice & { __cxrWatched?: boolean }).__cxrWatched) return;
    (device as GPUDevice & { __cxrWatched?: boolean }).__cxrWatched = true;
    void device.lost.then((info) => {
      if (this.watchedDevice !== device) return;
      this.lost = `The GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}).`;
      this.interrupt();
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
    for (const abort of this.stoppable) abort.abort();
  }

  /** A new conversation on the same image: the rows and the cached image prefix are kept. */
  reset(): void {
    this.chat?.reset();
  }

  async dispose(): Promise<void> {
    this.interrupt();
    const l = this.loaded;
    this.loaded = null;
    this.chat = null;
    this.imageRows = null;
    this.watchedDevice = null;
    if (l) {
      await l.vision.dispose();
      await l.backend.dispose();
      l.tokenizer.dispose();
    }
  }

  /**
   * Each ONNX stage's provider (see capabilities/choose-provider.ts): the rules first, then a
   * short measured probe on a hardware adapter, whose result is cached per device and runtime.
   */
  async chooseProviders(forced: ExecutionProvider | undefined, caps: CapabilityReport, emit: Emit = () => {}): Promise<ProviderChoices> {
    if (forced === 'webgpu' && !caps.webgpu.available) {
      throw new WebGpuUnavailableError(`WebGPU was requested but is not available: ${caps.webgpu.reason}`, 'no-webgpu');
    }
    let probe: ProviderProbeResult | null = null;
    if (needsProbe(caps, forced)) {
      // The builds run the same kernels with different overheads, so each has its own probe.
      const build = this.host.ortBuild ? ` ${this.host.ortBuild}` : '';
      // wasm's side of the probe depends on the threads ORT could start, not those the page could.
      const threads = this.host.ortThreads ? ` ${this.host.ortThreads.count} ort threads` : '';
      const key = probeCacheKey(caps, `ort ${this.host.ort.env.versions?.web ?? '?'}${build}${threads}`);
      probe = (await this.host.probeCache?.get(key).catch(() => undefined)) ?? null;
      if (!probe) {
        emit({ kind: 'progress', stage: 'compile', message: 'Measuring WebGPU against wasm on this device' });
        probe = await measureProviders(this.host.ort, this.host.now);
        await this.host.probeCache?.set(key, probe).catch(() => {});
      }
    }
    return chooseProviders(caps, forced, probe);
  }

  private requireLoaded(): Loaded {
    if (this.lost) throw new DeviceLostError(`${this.lost} Reload the model to continue; your report and chat are kept.`, 'device-lost');
    if (!this.loaded) throw new ModelNotLoadedError('No model is loaded yet.', 'not-loaded');
    return this.loaded;
  }
}
