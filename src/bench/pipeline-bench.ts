import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { VisionEncoder } from '../encode/vision-encoder';
import { OnnxDecoderBackend } from '../generate/backends/onnx-backend';
import { ChatSession } from '../generate/chat-session';
import { createTokenizer } from '../generate/tokenizer';
import { decodeToGray } from '../imaging/decode-node';
import type { ModelManifest } from '../model/manifest';
import { loadOrtForNode } from '../node/ort-node';
import { loadWebTokenizersNode } from '../node/web-tokenizers';
import { preprocessGray } from '../preprocess/preprocess';
import { median, timeRuns } from './stats';

export interface PipelineBenchOptions {
  modelDir: string;
  image: string;
  runs: number;
  warmup: number;
  newTokens: number;
  ep: 'auto' | 'webgpu' | 'wasm';
  /** 0 = greedy; the app's default is 0.2 (top-p 0.8), which costs a nucleus sort per token. */
  temperature: number;
}

/**
 * Every stage of one report, timed separately in Node: decode, preprocess, vision encode,
 * prefill (text + image rows), per-token decode, time to first token; the cold start (session
 * creation, first run) on its own; and what the generation loop adds per token over the bare
 * backend's forward calls, measured side by side on the same tokens.
 */
export async function runPipelineBench(o: PipelineBenchOptions) {
  const manifest = JSON.parse(await readFile(path.join(o.modelDir, 'manifest.json'), 'utf8')) as ModelManifest;
  const file = (p: string) => readFile(path.join(o.modelDir, p)).then((b) => new Uint8Array(b));
  const { ort, provider, note } = await loadOrtForNode(o.ep);

  const tCreate = performance.now();
  const vision = await VisionEncoder.create(ort, await file(manifest.vision.onnx.fp32), manifest.vision, provider);
  const backend = await OnnxDecoderBackend.create({
    ort,
    embedModel: await file(manifest.decoder.onnx!.embed),
    decoderModel: await file(manifest.decoder.onnx!.decoder),
    spec: manifest.decoder,
    executionProvider: provider,
  });
  const sessionCreateMs = performance.now() - tCreate;
  const tokenizer = await createTokenizer(loadWebTokenizersNode(), await file(manifest.tokenizer.json));

  const bytes = new Uint8Array(await readFile(o.image));
  const decodeRuns = await timeRuns(() => decodeToGray(bytes, path.basename(o.image)), o.runs, o.warmup);
  const gray = await decodeToGray(bytes, path.basename(o.image));
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
  const loop = median(loopPerToken);
  const bare = median(barePerToken);
  return {
    model: manifest.id,
    randomWeights: manifest.randomWeights,
    executionProvider: provider,
    runtime: note,
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
  };
}
