// `npx tsx src/bench/loop-overhead.ts [--runs N --warmup N --tokens N --model DIR --image-rows FILE
//   --ep wasm|webgpu|auto --clock wall|cpu --profile]`
// What the generation loop (ChatSession: yield, sample, stream-decode, bookkeeping) adds per token
// over the backend's forward calls (issue 8), for the app's sampling (temperature 0.2, top-p 0.8)
// and greedy, interleaved in one run. No vision encoder: the golden image rows stand in for it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OnnxDecoderBackend } from '../generate/backends/onnx-backend';
import { ChatSession } from '../generate/chat-session';
import { createRng, sampleToken, type SamplingParams } from '../generate/sampler';
import { StreamDecoder } from '../generate/stream-decoder';
import { createTokenizer } from '../generate/tokenizer';
import { yieldToEventLoop } from '../generate/yield';
import type { ModelManifest } from '../model/manifest';
import { loadOrtForNode } from '../node/ort-node';
import { loadWebTokenizersNode } from '../node/web-tokenizers';
import { median } from './stats';

export interface LoopOverheadOptions {
  modelDir: string;
  /** float32 image rows (imageTokens x hidden); zeros when absent. */
  imageRows?: string;
  runs: number;
  warmup: number;
  newTokens: number;
  ep: 'auto' | 'webgpu' | 'wasm';
  configs?: (SamplingParams & { label: string })[];
  /** Also time the loop's parts (sampling, stream decoding, the yield) on their own. */
  profile?: boolean;
  /**
   * 'cpu' times with this process's CPU time instead of the wall clock: on a machine shared with
   * other jobs the wall clock counts the time they take too.
   */
  clock?: 'wall' | 'cpu';
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export interface LoopOverheadResult {
  label: string;
  temperature: number;
  topP: number;
  newTokens: number;
  /** Per decode step, medians over runs (ms). */
  loopMs: number;
  /** The same steps' backend.forward calls, timed inside the loop. */
  forwardInLoopMs: number;
  /** The same ids replayed through backend.forward alone, back to back. */
  bareForwardMs: number;
  /**
   * What the loop adds per token over its own forward calls (the same tokens at the same moment,
   * as the pipeline bench defines it): median over runs of (loop - forwardInLoop), in ms and as a
   * share of forwardInLoop.
   */
  overheadMs: number;
  overhead: number;
  /** The same against the replayed bare forward: (loop - bare) / bare. */
  overheadVsReplay: number;
  parts?: { sampleMs: number; streamPushMs: number; yieldMs: number };
}

/**
 * One ChatSession per run and config, interleaved so the configs see the same machine state; each
 * generation's decode steps are then replayed through the bare backend (cache trimmed back to the
 * prompt) so "bare" is the forward calls with nothing between them.
 */
export async function runLoopOverheadBench(o: LoopOverheadOptions): Promise<{ model: string; executionProvider: string; results: LoopOverheadResult[] }> {
  const manifest = JSON.parse(await readFile(path.join(o.modelDir, 'manifest.json'), 'utf8')) as ModelManifest;
  const file = (p: string) => readFile(path.join(o.modelDir, p)).then((b) => new Uint8Array(b));
  const { ort, provider } = await loadOrtForNode(o.ep);
  const backend = await OnnxDecoderBackend.create({
    ort,
    embedModel: await file(manifest.decoder.onnx!.embed),
    decoderModel: await file(manifest.decoder.onnx!.decoder),
    spec: manifest.decoder,
    executionProvider: provider,
  });
  const tokenizer = await createTokenizer(loadWebTokenizersNode(), await file(manifest.tokenizer.json), { legacy: manifest.tokenizer.legacy });
  const count = manifest.vision.imageTokens;
  const dim = manifest.decoder.hiddenSize;
  let rows = new Float32Array(count * dim);
  if (o.imageRows) {
    const b = await readFile(o.imageRows);
    rows = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  await backend.setImage(rows, count, dim);

  const configs = o.configs ?? [
    { label: 'temperature 0.2 / top-p 0.8', temperature: 0.2, topP: 0.8 },
    { label: 'greedy', temperature: 0, topP: 1 },
  ];
  const now = o.clock === 'cpu' ? cpuNow : () => performance.now();
  const forward = backend.forward.bind(backend);
  let stepMs = 0;
  let keepLogits: Float32Array[] | null = null;
  backend.forward = async (segments) => {
    const t0 = now();
    const out = await forward(segments);
    if (segments.length === 1 && segments[0]!.kind === 'text' && segments[0]!.ids.length === 1) stepMs += now() - t0;
    keepLogits?.push(out.slice());
    return out;
  };

  const acc = configs.map(() => ({ loop: [] as number[], inLoop: [] as number[], bare: [] as number[], added: [] as number[], tokens: 0, logits: [] as Float32Array[], ids: [] as number[] }));
  for (let run = 0; run < o.warmup + o.runs; run++) {
    for (const [c, cfg] of configs.entries()) {
      const a = acc[c]!;
      await backend.trimCache(0);
      stepMs = 0;
      keepLogits = o.profile && run === 0 ? [] : null;
      const chat = new ChatSession(backend, tokenizer, manifest, now);
      let ids: number[] = [];
      let promptTokens = 0;
      let loopPerToken = 0;
      for await (const e of chat.ask(manifest.prompts.report, { temperature: cfg.temperature, topP: cfg.topP, maxNewTokens: o.newTokens, seed: 1234 + run })) {
        if (e.type !== 'complete') continue;
        const steps = Math.max(1, e.tokenIds.length - 1);
        loopPerToken = (e.decodeMs - (e.timeToFirstTokenMs - e.prefillMs)) / steps;
        ids = e.tokenIds;
        promptTokens = e.promptTokens;
      }
      if (keepLogits) {
        a.logits = keepLogits;
        a.ids = ids;
      }
      keepLogits = null;
      const steps = Math.max(1, ids.length - 1);
      const inLoop = stepMs / steps;
      // Bare: the same decode steps, back to back, from the same cached prompt.
      await backend.trimCache(promptTokens);
      const t0 = now();
      for (let i = 0; i + 1 < ids.length; i++) await forward([{ kind: 'text', ids: [ids[i]!] }]);
      const bare = (now() - t0) / steps;
      if (run < o.warmup) continue;
      a.loop.push(loopPerToken);
      a.inLoop.push(inLoop);
      a.bare.push(bare);
      a.added.push(loopPerToken - inLoop);
      a.tokens = ids.length;
    }
  }

  const results: LoopOverheadResult[] = configs.map((cfg, c) => {
    const a = acc[c]!;
    const loopMs = median(a.loop);
    const bareForwardMs = median(a.bare);
    const forwardInLoopMs = median(a.inLoop);
    const overheadMs = median(a.added);
    const r: LoopOverheadResult = {
      label: cfg.label,
      temperature: cfg.temperature,
      topP: cfg.topP,
      newTokens: a.tokens,
      loopMs,
      forwardInLoopMs,
      bareForwardMs,
      overheadMs,
      overhead: overheadMs / forwardInLoopMs,
      overheadVsReplay: (loopMs - bareForwardMs) / bareForwardMs,
    };
    if (o.profile && a.logits.length) r.parts = profileParts(a.logits, a.ids, cfg, tokenizer);
    return r;
  });
  if (o.profile) {
    const y = await timeAsync(yieldToEventLoop, 2000);
    for (const r of results) if (r.parts) r.parts.yieldMs = y;
  }
  await backend.dispose();
  return { model: manifest.id, executionProvider: provider, results };
}

function profileParts(logits: Float32Array[], ids: number[], cfg: SamplingParams, tokenizer: ConstructorParameters<typeof StreamDecoder>[0]) {
  const reps = Math.max(1, Math.ceil(4000 / logits.length));
  const rng = createRng(1);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) for (const l of logits) sampleToken(l, cfg, rng);
  const sampleMs = (performance.now() - t0) / (reps * logits.length);
  const t1 = performance.now();
  const pushReps = Math.max(1, Math.ceil(2000 / Math.max(1, ids.length)));
  for (let r = 0; r < pushReps; r++) {
    const s = new StreamDecoder(tokenizer);
    for (const id of ids) s.push(id);
  }
  const streamPushMs = (performance.now() - t1) / (pushReps * Math.max(1, ids.length));
  return { sampleMs, streamPushMs, yieldMs: 0 };
}

async function timeAsync(fn: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < 100; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

export function formatLoopOverhead(r: LoopOverheadResult): string {
  const parts = r.parts ? ` | sample ${r.parts.sampleMs.toFixed(3)} ms, stream ${r.parts.streamPushMs.toFixed(3)} ms, yield ${r.parts.yieldMs.toFixed(3)} ms` : '';
  return `${r.label.padEnd(28)} loop ${r.loopMs.toFixed(3)} ms/token | its forward calls ${r.forwardInLoopMs.toFixed(3)} ms | loop adds ${r.overheadMs.toFixed(3)} ms = ${(r.overhead * 100).toFixed(1)}% | replayed bare forward ${r.bareForwardMs.toFixed(3)} ms (${(r.overheadVsReplay * 100).toFixed(1)}%)${parts}`;
}

const isMain = process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]));
if (isMain) {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
  };
  const out = await runLoopOverheadBench({
    modelDir: opt('model', 'public/models/cxr-llava-tiny'),
    // The tiny model's golden rows by default; zeros for another --model unless --image-rows is given.
    imageRows: opt('image-rows', args.includes('--model') ? '' : 'models/tiny/golden/image_rows.f32') || undefined,
    runs: Number(opt('runs', '9')),
    warmup: Number(opt('warmup', '2')),
    newTokens: Number(opt('tokens', '64')),
    ep: opt('ep', 'wasm') as 'auto' | 'webgpu' | 'wasm',
    profile: args.includes('--profile'),
    clock: opt('clock', 'wall') as 'wall' | 'cpu',
  });
  console.log(`loop overhead (${out.model}, ${out.executionProvider}; medians; ${opt('clock', 'wall')} clock)`);
  for (const r of out.results) console.log(`  ${formatLoopOverhead(r)}`);
}
