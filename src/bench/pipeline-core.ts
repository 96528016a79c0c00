// The stage timing of `npm run bench`, with no Node or DOM imports: the same code runs in Node
// (pipeline-bench.ts) and in headless Chromium's bench worker (browser/bench.worker.ts). What
// differs between the two (where files come from, which ORT build, which tokenizer loader, which
// decoder codecs) comes in as a PipelineEnv.
import type * as Ort from 'onnxruntime-web';
import { VisionEncoder } from '../encode/vision-encoder';
import { OnnxDecoderBackend } from '../generate/backends/onnx-backend';
import { ChatSession } from '../generate/chat-session';
import { createTokenizer, type WebTokenizerClass } from '../generate/tokenizer';
import type { ModelManifest } from '../model/manifest';
import type { GrayImage } from '../preprocess/types';
import { preprocessGray } from '../preprocess/preprocess';
import { STEADY_RULE, warmUpUntilSteady, type SteadyRule } from '../generate/warm-up';
import { warmUpDecoder } from '../imaging/warm-up';
import { median, timeRuns } from './stats';

export interface PipelineStageOptions {
  runs: number;
  warmup: number;
  newTokens: number;
  /** 0 = greedy; the app's default is 0.2 (top-p 0.8), which costs a nucleus sort per token. */
  temperature: number;
}

export interface PipelineEnv {
  ort: typeof Ort;
  provider: 'webgpu' | 'wasm';
  /** Which ORT build and backend ran (for the JSON). */
  runtime: string;
  manifest: ModelManifest;
  /** A file of the model folder, by the path the manifest names. */
  file(path: string): Promise<Uint8Array>;
  tokenizers: WebTokenizerClass;
  /** File bytes -> the 8-bit grey image the model sees (the platform's decoder). */
  decodeToGray(bytes: Uint8Array, name: string): Promise<GrayImage>;
  image: { bytes: Uint8Array; name: string };
  /** CPU time of this process in ms (Node: process.cpuUsage), where the host has it. */
  cpuNowMs?: () => number;
}

export interface PipelineBenchResult {
  model: string;
  randomWeights: boolean;
  executionProvider: 'webgpu' | 'wasm';
  runtime: string;
  wasmThreads: number;
  runs: number;
  warmup: number;
  promptTokens: number;
  newTokens: number;
  temperature: number;
  coldStart: { sessionCreateMs: number; firstEncodeMs: number };
  medianMs: {
    decode: number;
    preprocess: number;
    visionEncode: number;
    prefill: number;
    timeToFirstToken: number;
    perTokenLoop: number;
    perTokenBareForward: number;
    total: number;
  };
  loopOverheadPerToken: number;
  dropToFirstToken: DropToFirstTokenResult;
}

/** One image from its bytes to the report's first token, as the app runs it on open. */
export interface DropParts {
  decode: number;
  preprocess: number;
  encode: number;
  /** The report prompt's prefill (system prompt, image rows, the question), done on open. */
  prefill: number;
  /** Generate -> first token, from the prefilled cache. */
  firstToken: number;
  total: number;
}

export interface DropToFirstTokenResult {
  /** Fresh sessions (the first thing the process runs), then the app's warm-up. */
  sessionCreateMs: number;
  warmupMs: number;
  /** Each round of the warm-up (generate/warm-up.ts repeats it until it stops getting faster). */
  warmupRoundsMs: number[];
  images: number;
  firstImage: DropParts;
  /** Medians over the images after the first. */
  laterImages: DropParts;
  /** Every image, in order (the first included). */
  eachImage: DropParts[];
  /** firstImage.total / laterImages.total (goal: <= 1.2). */
  firstOverLater: number;
  /**
   * The same in CPU time of the process (Node only; null elsewhere): on a machine shared with
   * other jobs, waiting for a core inflates wall-clock times at random, CPU time much less.
   */
  cpu: { firstImageMs: number; laterImagesMs: number; firstOverLater: number } | null;
}

/** The model's ONNX sessions (vision encoder, decoder) on the env's provider. */
async function createSessions({ ort, provider, manifest, file }: PipelineEnv): Promise<{ vision: VisionEncoder; backend: OnnxDecoderBackend }> {
  const vision = await VisionEncoder.create(ort, await file(manifest.vision.onnx.fp32), manifest.vision, provider);
  const backend = await OnnxDecoderBackend.create({
    ort,
    embedModel: await file(manifest.decoder.onnx!.embed),
    decoderModel: await file(manifest.decoder.onnx!.decoder),
    spec: manifest.decoder,
    executionProvider: provider,
  });
  return { vision, backend };
}

/**
 * Drop -> first token as the app does it (worker/engine.ts + session/controller.ts): fresh
 * sessions, the warm-up, then per image decode, preprocess, encode, the report prompt's prefill,
 * and Generate until the first token. Run first in a fresh process so the first image is cold as
 * a user's is.
 */
export async function runDropToFirstToken(env: PipelineEnv, o: { images: number; temperature: number; warmUp?: SteadyRule }): Promise<DropToFirstTokenResult> {
  const { manifest } = env;
  const t0 = performance.now();
  const { vision, backend } = await createSessions(env);
  const tokenizer = await createTokenizer(env.tokenizers, await env.file(manifest.tokenizer.json), { legacy: manifest.tokenizer.legacy });
  const sessionCreateMs = performance.now() - t0;
  // As the app: the decoder at start (main.tsx), the model's stages after loading (engine.ts).
  await warmUpDecoder(env.decodeToGray);
  const warmUp = await warmUpUntilSteady({ manifest, vision, backend, tokenizer }, undefined, undefined, o.warmUp ?? STEADY_RULE);
  const all: DropParts[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < o.images; i++) {
    const cpu0 = env.cpuNowMs?.();
    const t = [performance.now()];
    const gray = await env.decodeToGray(env.image.bytes, env.image.name);
    t.push(performance.now());
    const { tensor } = preprocessGray(gray, manifest.vision);
    t.push(performance.now());
    const rows = await vision.encode(tensor);
    t.push(performance.now());
    await backend.trimCache(0);
    await backend.setImage(rows.rows, rows.count, rows.dim);
    const chat = new ChatSession(backend, tokenizer, manifest);
    await chat.prime(manifest.prompts.report);
    t.push(performance.now());
    for await (const e of chat.ask(manifest.prompts.report, { temperature: o.temperature, topP: 0.8, maxNewTokens: 1 })) {
      if (e.type === 'delta' || e.type === 'complete') break;
    }
    t.push(performance.now());
    if (cpu0 !== undefined) cpuMs.push(env.cpuNowMs!() - cpu0);
    const d = (k: number) => t[k + 1]! - t[k]!;
    all.push({ decode: d(0), preprocess: d(1), encode: d(2), prefill: d(3), firstToken: d(4), total: t[5]! - t[0]! });
  }
  await vision.dispose();
  await backend.dispose();
  tokenizer.dispose();
  const later = all.slice(1);
  const med = (k: keyof DropParts) => median(later.map((p) => p[k]));
  const laterImages: DropParts = { decode: med('decode'), preprocess: med('preprocess'), encode: med('encode'), prefill: med('prefill'), firstToken: med('firstToken'), total: med('total') };
  const cpuLater = median(cpuMs.slice(1));
  const cpu = cpuMs.length ? { firstImageMs: cpuMs[0]!, laterImagesMs: cpuLater, firstOverLater: cpuMs[0]! / cpuLater } : null;
  return { sessionCreateMs, warmupMs: warmUp.totalMs, warmupRoundsMs: warmUp.roundsMs, images: o.images, firstImage: all[0]!, laterImages, eachImage: all, firstOverLater: all[0]!.total / laterImages.total, cpu };
}

/**
 * Every stage of one report, timed separately: decode, preprocess, vision encode, prefill (text +
 * image rows), per-token decode, time to first token; the cold start (session creation, first
 * run) on its own; and what the generation loop adds per token over the bare backend's forward
 * calls, measured side by side on the same tokens.
 */
export async function runPipelineStages(env: PipelineEnv, o: PipelineStageOptions): Promise<PipelineBenchResult> {
  const { ort, provider, manifest } = env;
  // First, while the process is cold: what a user's first image costs.
  const dropToFirstToken = await runDropToFirstToken(env, { images: Math.max(3, o.runs + 1), temperature: o.temperature });

  const tCreate = performance.now();
  const { vision, backend } = await createSessions(env);
  const sessionCreateMs = performance.now() - tCreate;
  const tokenizer = await createTokenizer(env.tokenizers, await env.file(manifest.tokenizer.json), { legacy: manifest.tokenizer.legacy });

  const { bytes, name } = env.image;
  const decodeRuns = await timeRuns(() => env.decodeToGray(bytes, name), o.runs, o.warmup);
  const gray = await env.decodeToGray(bytes, name);
  const preprocessRuns = await timeRuns(() => preprocessGray(gray, manifest.vision), o.runs, o.warmup);
  const tensor = preprocessGray(gray, manifest.vision).tensor;

  const tFirst = performance.now();
  const rows = await vision.encode(tensor);
  const firstEncodeMs = performance.now() - tFirst;
  const encodeRuns = await timeRuns(() => vision.encode(tensor), o.runs, o.warmup);
  await backend.setImage(rows.rows, rows.count, rows.dim);

  // Full generations through the loop: prefill, TTFT and per-token times. The backend's own
  // decode-step forward calls are timed inside the same runs, so "what the loop adds" compares
  // the same tokens at the same moment, not two runs on a noisy machine.
  const forward = backend.forward.bind(backend);
  let stepMs = 0;
  backend.forward = async (segments) => {
    const t0 = performance.now();
    const out = await forward(segments);
    if (segments.length === 1 && segments[0]!.kind === 'text' && segments[0]!.ids.length === 1) stepMs += performance.now() - t0;
    return out;
  };
  const prefill: number[] = [];
  const ttft: number[] = [];
  const loopPerToken: number[] = [];
  const barePerToken: number[] = [];
  let newTokens = 0;
  let promptTokens = 0;
  for (let i = 0; i < o.warmup + o.runs; i++) {
    await backend.trimCache(0);
    stepMs = 0;
    const chat = new ChatSession(backend, tokenizer, manifest);
    for await (const e of chat.ask(manifest.prompts.report, { temperature: o.temperature, topP: 0.8, maxNewTokens: o.newTokens })) {
      if (e.type !== 'complete' || i < o.warmup) continue;
      const steps = Math.max(1, e.tokenIds.length - 1);
      prefill.push(e.prefillMs);
      ttft.push(e.timeToFirstTokenMs);
      // decodeMs covers every sample and the steps between them; the first sample belongs to TTFT.
      loopPerToken.push((e.decodeMs - (e.timeToFirstTokenMs - e.prefillMs)) / steps);
      barePerToken.push(stepMs / steps);
      newTokens = e.tokenIds.length;
      promptTokens = e.promptTokens;
    }
  }

  await vision.dispose();
  await backend.dispose();
  tokenizer.dispose();
  const loop = median(loopPerToken);
  const bare = median(barePerToken);
  return {
    model: manifest.id,
    randomWeights: manifest.randomWeights,
    executionProvider: provider,
    runtime: env.runtime,
    wasmThreads: Number(ort.env.wasm.numThreads ?? 0),
    runs: o.runs,
    warmup: o.warmup,
    promptTokens,
    newTokens,
    temperature: o.temperature,
    coldStart: { sessionCreateMs, firstEncodeMs },
    medianMs: {
      decode: median(decodeRuns),
      preprocess: median(preprocessRuns),
      visionEncode: median(encodeRuns),
      prefill: median(prefill),
      timeToFirstToken: median(ttft),
      perTokenLoop: loop,
      perTokenBareForward: bare,
      total: median(decodeRuns) + median(preprocessRuns) + median(encodeRuns) + median(ttft) + loop * Math.max(0, newTokens - 1),
    },
    loopOverheadPerToken: (loop - bare) / bare,
    dropToFirstToken,
  };
}
