/// <reference lib="webworker" />
// The bench worker: the same stage timing code as the Node bench (pipeline-core.ts,
// vision/vision-core.ts) on the app's browser runtime — ORT's build set up as the inference
// worker sets it up, the decode worker's codecs, the browser tokenizer loader — and, for
// comparison, on ORT's JSEP build (the app's WebGPU build before; see protocol.ts).
import type * as Ort from 'onnxruntime-web';
import { configureOrtForBrowser } from '../../encode/ort-env';
import { loadWebTokenizers } from '../../generate/tokenizer-browser';
import { loadCodecBrowser } from '../../imaging/codecs-browser';
import { decodeImageBytes } from '../../imaging/decode-core';
import { defaultVoiImage } from '../../imaging/default-voi';
import { createWasmDecoders } from '../../imaging/wasm-codecs';
import type { ModelManifest } from '../../model/manifest';
import { preprocessGray } from '../../preprocess/preprocess';
import { defaultPasses } from '../../preprocess/resize-lanczos';
import { STEADY_RULE } from '../../generate/warm-up';
import { runDropToFirstToken, runPipelineStages, type PipelineEnv } from '../pipeline-core';
import { adapterReport, timeVisionSession } from '../vision/vision-core';
import { BENCH_FILES_PREFIX, JSEP_FILES, JSEP_FILES_DIR, type BenchProgress, type BenchRequest, type BenchResults, type BrowserEnvInfo, type OrtBuildChoice, type VisionBrowserTiming, type WorkerReply } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** One ORT module per build and worker, loaded on first use (a browser runs one build per bench run). */
const builds = new Map<OrtBuildChoice, Promise<typeof Ort>>();
function ortFor(build: OrtBuildChoice = 'app'): Promise<typeof Ort> {
  let loading = builds.get(build);
  if (!loading) {
    loading = (build === 'jsep' ? import('onnxruntime-web') : import('onnxruntime-web/webgpu')).then((m) => {
      const ort = m as unknown as typeof Ort;
      configureOrtForBrowser(ort, import.meta.env.BASE_URL);
      if (build === 'jsep') {
        const [mjs, wasm] = JSEP_FILES.map((f) => new URL(`${BENCH_FILES_PREFIX}${JSEP_FILES_DIR}${f}`, location.href).href);
        ort.env.wasm.wasmPaths = { mjs, wasm };
      }
      ort.env.logLevel = 'error';
      return ort;
    });
    builds.set(build, loading);
  }
  return loading;
}
const buildName = (build: OrtBuildChoice = 'app') => (build === 'jsep' ? 'JSEP build' : "native WebGPU build, the app's");
const post = (reply: WorkerReply) => scope.postMessage(reply);
const progress = (p: BenchProgress) => post({ kind: 'progress', progress: p });

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function info(): Promise<BenchResults['info']> {
  let webgpu = 'ok';
  let adapter = null;
  if (!('gpu' in navigator) || !navigator.gpu) webgpu = 'navigator.gpu is missing';
  else {
    adapter = await adapterReport(navigator.gpu, []);
    if (!adapter) webgpu = 'requestAdapter() gave no adapter';
  }
  const env: BrowserEnvInfo = {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: scope.crossOriginIsolated,
    webgpu,
  };
  return { env, adapter };
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function preprocess(r: Extract<BenchRequest, { kind: 'preprocess' }>): Promise<BenchResults['preprocess']> {
  const gray = { width: r.width, height: r.height, data: await fetchBytes(r.url) };
  for (let i = 0; i < r.warmup; i++) preprocessGray(gray, r.spec);
  const runsMs: number[] = [];
  let crop: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < r.runs; i++) {
    const t = performance.now();
    crop = preprocessGray(gray, r.spec).resized.data;
    runsMs.push(performance.now() - t);
  }
  return { runsMs, passes: defaultPasses().name, cropBase64: base64(crop) };
}

type ModelRequest = Extract<BenchRequest, { kind: 'pipeline' | 'drop' }>;

async function pipelineEnv(r: ModelRequest): Promise<PipelineEnv> {
  const build = r.kind === 'drop' ? r.ortBuild : 'app';
  const ort = await ortFor(build);
  const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(r.manifestUrl))) as ModelManifest;
  const base = new URL('.', new URL(r.manifestUrl, location.href)).href;
  const wasm = createWasmDecoders(loadCodecBrowser);
  const name = decodeURIComponent(r.imageUrl.split('/').pop() ?? 'image');
  return {
    ort,
    provider: r.ep,
    runtime: `onnxruntime-web ${ort.env.versions.web} (${buildName(build)}), ${r.ep}`,
    manifest,
    file: (p) => fetchBytes(new URL(p, base).href),
    tokenizers: await loadWebTokenizers(),
    decodeToGray: async (bytes, n) => defaultVoiImage(await decodeImageBytes(bytes, n, wasm)),
    image: { bytes: await fetchBytes(r.imageUrl), name },
  };
}

async function pipeline(r: Extract<BenchRequest, { kind: 'pipeline' }>): Promise<BenchResults['pipeline']> {
  return runPipelineStages(await pipelineEnv(r), r.options);
}

async function drop(r: Extract<BenchRequest, { kind: 'drop' }>): Promise<BenchResults['drop']> {
  const warmUp = r.maxWarmUpRounds === undefined ? STEADY_RULE : { ...STEADY_RULE, maxRounds: r.maxWarmUpRounds };
  return runDropToFirstToken(await pipelineEnv(r), { images: r.images, temperature: r.temperature, warmUp });
}

async function vision(r: Extract<BenchRequest, { kind: 'vision' }>): Promise<VisionBrowserTiming> {
  const c = r.config;
  const build: OrtBuildChoice = c.build === 'jsep' ? 'jsep' : 'app';
  const ort = await ortFor(build);
  if (c.build === 'wasm') ort.env.wasm.numThreads = c.threads;
  const f32 = async (url: string) => {
    const b = await fetchBytes(url);
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  const input = await f32(r.inputUrl);
  const ref = await f32(r.refUrl);
  const t = performance.now();
  const model = await fetchBytes(r.modelUrl);
  const readMs = performance.now() - t;
  progress({ stage: 'read', ms: readMs, bytes: model.byteLength });
  const timing = await timeVisionSession(ort, model, r.meta, input, ref, c, { onProgress: progress });
  return {
    ...timing,
    runtime: `onnxruntime-web ${ort.env.versions.web} (${buildName(build)}, ${c.build === 'wasm' ? 'wasm EP' : 'WebGPU EP'})`,
    wasmThreads: Number(ort.env.wasm.numThreads ?? 0),
    modelBytes: model.byteLength,
    readMs,
  };
}

scope.onmessage = async (event: MessageEvent<BenchRequest>) => {
  const r = event.data;
  try {
    const value =
      r.kind === 'info' ? await info() : r.kind === 'preprocess' ? await preprocess(r) : r.kind === 'pipeline' ? await pipeline(r) : r.kind === 'drop' ? await drop(r) : await vision(r);
    post({ kind: 'result', value });
  } catch (err) {
    post({ kind: 'error', message: err instanceof Error ? `${err.message}${err.stack ? `\n${err.stack}` : ''}` : String(err) });
  }
};
