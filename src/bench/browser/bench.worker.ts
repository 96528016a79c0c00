/// <reference lib="webworker" />
// The bench worker: the same stage timing code as the Node bench (pipeline-core.ts,
// vision/vision-core.ts) on the app's browser runtime — ORT's build set up as the inference
// worker sets it up, the decode worker's codecs, the browser tokenizer loader — and, for
// comparison, on ORT's other builds (the native EP with asyncify, JSEP, CPU-only; see
// protocol.ts).
import type * as Ort from 'onnxruntime-web';
import { configureOrtForBrowser, loadOrtForBrowser } from '../../encode/ort-env';
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
import { BENCH_FILES_PREFIX, comparedBuildDir, comparedBuildFiles, type BenchProgress, type BenchRequest, type BenchResults, type BrowserEnvInfo, type ComparedBuild, type OrtBuildChoice, type VisionBrowserTiming, type WorkerReply } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** One ORT module per build and worker, loaded on first use (a browser runs one build per bench run). */
const builds = new Map<OrtBuildChoice, Promise<{ ort: typeof Ort; name: string }>>();
const compared: Record<ComparedBuild, { load: () => Promise<unknown>; name: string }> = {
  asyncify: { load: () => import('onnxruntime-web/webgpu'), name: 'native WebGPU build with asyncify' },
  jsep: { load: () => import('onnxruntime-web'), name: 'JSEP build' },
  wasm: { load: () => import('onnxruntime-web/wasm'), name: 'CPU-only build' },
};
function ortFor(build: OrtBuildChoice = 'app'): Promise<{ ort: typeof Ort; name: string }> {
  let loading = builds.get(build);
  if (!loading) {
    loading =
      build === 'app'
        ? loadOrtForBrowser(import.meta.env.BASE_URL).then(({ ort, build: b }) => ({ ort, name: `${b} build, the app's` }))
        : compared[build].load().then(async (m) => {
            const ort = m as unknown as typeof Ort;
            const [mjs, wasm] = comparedBuildFiles(build).map((f) => new URL(`${BENCH_FILES_PREFIX}${comparedBuildDir(build)}${f}`, location.href).href);
            await configureOrtForBrowser(ort, import.meta.env.BASE_URL, 'asyncify', { mjs: mjs!, wasm: wasm! });
            return { ort, name: compared[build].name };
          });
    loading = loading.then((o) => {
      o.ort.env.logLevel = 'error';
      return o;
    });
    builds.set(build, loading);
  }
  return loading;
}
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
  const { ort, name: buildName } = await ortFor(build);
  const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(r.manifestUrl))) as ModelManifest;
  const base = new URL('.', new URL(r.manifestUrl, location.href)).href;
  const wasm = createWasmDecoders(loadCodecBrowser);
  const name = decodeURIComponent(r.imageUrl.split('/').pop() ?? 'image');
  return {
    ort,
    provider: r.ep,
    runtime: `onnxruntime-web ${ort.env.versions.web} (${buildName}), ${r.ep}`,
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
  // 'native', 'jspi' and 'wasm' run on the app's build (in Chromium, the JSPI one).
  const { ort, name: buildName } = await ortFor(c.build === 'jsep' ? 'jsep' : 'app');
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
    runtime: `onnxruntime-web ${ort.env.versions.web} (${buildName}, ${c.build === 'wasm' ? 'wasm EP' : 'WebGPU EP'})`,
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
