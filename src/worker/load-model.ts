import { chooseProviders, needsProbe, probeCacheKey, type ProviderChoices, type ProviderProbeResult } from '../capabilities/choose-provider';
import { measureProviders } from '../capabilities/provider-probe';
import type { CapabilityReport } from '../capabilities/types';
import { VisionEncoder } from '../encode/vision-encoder';
import type { DecoderBackend } from '../generate/backend';
import { OnnxDecoderBackend } from '../generate/backends/onnx-backend';
import { warmUpUntilSteady } from '../generate/warm-up';
import { createTokenizer, type TextTokenizer } from '../generate/tokenizer';
import { ArtifactError, bytesToDownload, fetchArtifact, manifestFile } from '../model/artifacts';
import { parseManifest } from '../model/catalog';
import { fetchManifestText } from '../model/manifest-cache';
import type { ModelManifest } from '../model/manifest';
import type { Precision } from '../selfcheck/compare';
import type { Emit, EngineHost } from './engine-host';
import { ModelLoadError, WebGpuUnavailableError } from './errors';
import { asOutOfMemory, checkStorage, chooseDecoder, resolveUrl, webLlmDownloadBytes } from './load-plan';
import type { ExecutionProvider, LoadedInfo, LoadOptions } from './protocol';

/** A model ready to use: its sessions, tokenizer and what the self-check compares it with. */
export interface Loaded {
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
 * What InferenceEngine.load does, on its own: the manifest fetched and checked, each stage's
 * provider chosen, the files downloaded (every download runs to its end), the sessions built and
 * warmed at the real shapes. `startedAt` counts the engine's release of the previous model too;
 * `onWebGpu` is told once the vision session runs on WebGPU (the engine then watches its device).
 */
export async function loadModel(host: EngineHost, options: LoadOptions, emit: Emit, o: { startedAt: number; onWebGpu: () => void }): Promise<Loaded> {
  const manifestRes = await fetchManifestText(options.manifestUrl, host.fetchFn).catch((err: unknown) => {
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
  const caps = await host.probe();
  const providers = await chooseProvidersFor(host, options.executionProvider, caps, emit);
  const provider = providers.vision.provider;
  const useFp16 = provider === 'webgpu' && caps.webgpu.available && caps.webgpu.shaderF16 && !!manifest.vision.onnx.fp16;
  const visionPath = useFp16 ? manifest.vision.onnx.fp16! : manifest.vision.onnx.fp32;
  const useWebLlm = chooseDecoder(manifest, caps, options);
  if (!useWebLlm && !manifest.decoder.onnx) {
    throw new ModelLoadError(`${manifest.name} has neither an ONNX decoder nor a WebLLM model library this device can run.`, 'no-backend');
  }
  const base = new URL('.', resolveUrl(options.manifestUrl)).href;
  const get = (path: string) =>
    fetchArtifact(base, manifestFile(manifest, path), (file) => emit({ kind: 'progress', stage: 'download', file, message: `Downloading ${file.path}` }), host.fetchFn);

  const paths = [visionPath, manifest.tokenizer.json, ...(useWebLlm ? [] : [manifest.decoder.onnx!.embed, manifest.decoder.onnx!.decoder])];
  const appBytes = await bytesToDownload(base, manifest, paths).catch(() => 0);
  const webLlmBytes = useWebLlm ? await webLlmDownloadBytes(base, manifest, caps).catch(() => 0) : 0;
  await checkStorage(await host.storageEstimate?.().catch(() => null), appBytes + webLlmBytes);
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
    vision = await VisionEncoder.create(host.ort, visionBytes, manifest.vision, provider);
    if (provider === 'webgpu') o.onWebGpu();
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
        ort: host.ort,
        embedModel: embedBytes!,
        decoderModel: decoderBytes!,
        spec: manifest.decoder,
        executionProvider: providers.decoder.provider,
      });
    }
  } catch (err) {
    throw asOutOfMemory(err, manifest, caps) ?? err;
  }
  const tokenizer = await createTokenizer(await host.loadTokenizers(), tokenizerBytes, { legacy: manifest.tokenizer.legacy });
  // The ONNX decoder is the checkpoint's weights in float32; WebLLM runs one q4 variant.
  const quant = useWebLlm ? (backend as { quant?: string }).quant ?? 'q4f32_1' : null;
  const warmupMs = options.warmUp === false ? 0 : await warmUp(host, { manifest, vision, backend, tokenizer }, provider === 'webgpu' || providers.decoder.provider === 'webgpu' || useWebLlm, emit);
  const info: LoadedInfo = {
    modelId: manifest.id,
    modelName: manifest.name,
    randomWeights: manifest.randomWeights,
    backend: backend.description,
    visionProvider: provider,
    providers,
    visionDtype: useFp16 ? 'fp16' : 'fp32',
    loadMs: host.now() - o.startedAt,
    warmupMs,
    ...(host.ortThreads ? { wasmThreads: host.ortThreads } : {}),
  };
  return {
    info,
    manifest,
    baseUrl: base,
    vision,
    backend,
    tokenizer,
    decoderReference: quant ?? 'checkpoint',
    precision: useFp16 || quant === 'q4f16_1' ? 'fp16' : 'fp32',
  };
}

/** See generate/warm-up.ts; the model panel shows each step. */
async function warmUp(host: EngineHost, m: Pick<Loaded, 'manifest' | 'vision' | 'backend' | 'tokenizer'>, onGpu: boolean, emit: Emit): Promise<number> {
  const what = onGpu ? 'Preparing GPU kernels' : 'Warming up';
  const say = (round: number, step: number, text: string) =>
    emit({ kind: 'progress', stage: 'warmup', step, steps: 3, message: round === 1 ? `${what} (${step}/3: ${text})` : `${what}: settling, round ${round} (${step}/3: ${text})` });
  return (await warmUpUntilSteady(m, say, host.now)).totalMs;
}

/**
 * Each ONNX stage's provider (see capabilities/choose-provider.ts): the rules first, then a
 * short measured probe on a hardware adapter, whose result is cached per device and runtime.
 */
export async function chooseProvidersFor(host: EngineHost, forced: ExecutionProvider | undefined, caps: CapabilityReport, emit: Emit = () => {}): Promise<ProviderChoices> {
  if (forced === 'webgpu' && !caps.webgpu.available) {
    throw new WebGpuUnavailableError(`WebGPU was requested but is not available: ${caps.webgpu.reason}`, 'no-webgpu');
  }
  let probe: ProviderProbeResult | null = null;
  if (needsProbe(caps, forced)) {
    // The builds run the same kernels with different overheads, so each has its own probe.
    const build = host.ortBuild ? ` ${host.ortBuild}` : '';
    // wasm's side of the probe depends on the threads ORT could start, not those the page could.
    const threads = host.ortThreads ? ` ${host.ortThreads.count} ort threads` : '';
    const key = probeCacheKey(caps, `ort ${host.ort.env.versions?.web ?? '?'}${build}${threads}`);
    probe = (await host.probeCache?.get(key).catch(() => undefined)) ?? null;
    if (!probe) {
      emit({ kind: 'progress', stage: 'compile', message: 'Measuring WebGPU against wasm on this device' });
      probe = await measureProviders(host.ort, host.now);
      await host.probeCache?.set(key, probe).catch(() => {});
    }
  }
  return chooseProviders(caps, forced, probe);
}
