import type { ProviderChoices } from '../capabilities/choose-provider';
import type { CapabilityReport } from '../capabilities/types';
import { ChatSession } from '../generate/chat-session';
import { presetUserText } from '../generate/prompt';
import { ArtifactError, fetchArtifact, manifestFile } from '../model/artifacts';
import { preprocessGray } from '../preprocess/preprocess';
import { parseSelfCheck } from '../selfcheck/reference';
import { runSelfCheck, type SelfCheckResult } from '../selfcheck/run';
import type { Emit, EngineHost } from './engine-host';
import { DeviceLostError, GenerationError, ModelLoadError, ModelNotLoadedError, NoImageError, WebGpuUnavailableError } from './errors';
import { chooseProvidersFor, loadModel, type Loaded } from './load-model';
import type { EncodedInfo, ExecutionProvider, GenerateOptions, GrayImage, HistoryTurn, LoadedInfo, LoadOptions, PrimeRequest } from './protocol';

export type { Emit, EngineHost } from './engine-host';

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
    const startedAt = this.host.now();
    await this.dispose();
    this.loaded = await loadModel(this.host, options, emit, { startedAt, onWebGpu: () => void this.watchDevice() });
    this.imageRows = null;
    return this.loaded.info;
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
    // Continue asks the conversation's first turn again when it is the only one (ChatSession.resume).
    const first = this.chat.history.length === 0 || (options.resume !== undefined && this.chat.history.length === 1);
    const userText = this.userText(options.preset, options.question ?? '', first);
    const ask = { temperature: options.temperature, topP: options.topP, seed: options.seed, maxNewTokens: options.maxNewTokens, signal: abort.signal };
    let prefill = { promptTokens: 0, reusedTokens: 0, prefillMs: 0 };
    try {
      for await (const e of options.resume !== undefined ? this.chat.resume(options.resume, userText, ask) : this.chat.ask(userText, ask)) {
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

  /** Each ONNX stage's provider: see chooseProvidersFor (load-model.ts). */
  chooseProviders(forced: ExecutionProvider | undefined, caps: CapabilityReport, emit: Emit = () => {}): Promise<ProviderChoices> {
    return chooseProvidersFor(this.host, forced, caps, emit);
  }

  private requireLoaded(): Loaded {
    if (this.lost) throw new DeviceLostError(`${this.lost} Reload the model to continue; your report and chat are kept.`, 'device-lost');
    if (!this.loaded) throw new ModelNotLoadedError('No model is loaded yet.', 'not-loaded');
    return this.loaded;
  }
}
