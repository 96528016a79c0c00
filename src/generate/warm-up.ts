import type { VisionEncoder } from '../encode/vision-encoder';
import type { ModelManifest } from '../model/manifest';
import { preprocessGray } from '../preprocess/preprocess';
import type { DecoderBackend } from './backend';
import { ChatSession } from './chat-session';
import { presetUserText } from './prompt';
import type { TextTokenizer } from './tokenizer';

export interface WarmUpParts {
  manifest: ModelManifest;
  vision: VisionEncoder;
  backend: DecoderBackend;
  tokenizer: TextTokenizer;
}

/**
 * Runs every stage once at its real shapes: a blank image through the vision encoder, the report
 * prompt's prefill (with those image rows), one decode step. Shader compilation and first-run
 * allocations are paid here rather than on the user's first image. Leaves the KV cache empty.
 * `say(step, text)` is told before each of the 3 steps. Shared by the engine and the benchmarks.
 */
export async function warmUpStages(m: WarmUpParts, say: (step: number, text: string) => void = () => {}, now: () => number = () => performance.now()): Promise<number> {
  const t0 = now();
  const { imageSize } = m.manifest.vision;
  say(1, 'preprocessing and vision encoder');
  // A blank image through the real preprocessing (its loops get compiled hot at a radiograph-like
  // size), then the encoder at its real input shape.
  const side = 2 * imageSize;
  const { tensor } = preprocessGray({ width: side, height: side + side / 4, data: new Uint8Array(side * (side + side / 4)) }, m.manifest.vision);
  const rows = await m.vision.encode(tensor);
  say(2, 'prefill of the report prompt');
  await m.backend.trimCache(0);
  await m.backend.setImage(rows.rows, rows.count, rows.dim);
  const chat = new ChatSession(m.backend, m.tokenizer, m.manifest, now);
  const prompt = presetUserText(m.manifest.prompts, 'report', '');
  await chat.prime(prompt);
  say(3, 'first token and one decode step');
  // The sampler and the detokeniser run once too (their first call is slow), then one step.
  for await (const e of chat.ask(prompt, { temperature: m.manifest.generation.temperature, topP: m.manifest.generation.topP, maxNewTokens: 1 })) void e;
  await m.backend.forward([{ kind: 'text', ids: [m.manifest.decoder.bosTokenId] }]);
  await m.backend.trimCache(0);
  return now() - t0;
}

/** When the warm-up stops repeating (see warmUpUntilSteady). */
export interface SteadyRule {
  /** Rounds at most, the first included. */
  maxRounds: number;
  /** A first round longer than this is not repeated: it is dominated by the work itself (the real
   *  model on wasm) or by compilation that finishes before the round does (GPU pipelines). */
  repeatBelowMs: number;
  /** Another round follows while a round took less than this fraction of the one before. */
  stillImproving: number;
}

export const STEADY_RULE: SteadyRule = { maxRounds: 4, repeatBelowMs: 5000, stillImproving: 0.85 };

export interface SteadyWarmUp {
  totalMs: number;
  roundsMs: number[];
}

/**
 * The warm-up, repeated until it stops getting faster. One round makes the stages' code hot, but
 * the runtimes finish their work after it: V8 compiles the optimised code of hot WebAssembly
 * functions in background threads (ORT's and the tokenizer's), and on a small machine that
 * compilation ran into the user's first image (Chromium, 2 cores: first image ×1.2–3.3 of later
 * ones after one round). Rounds 2 and later take a fraction of the first (0.2–0.3 s of 1.6–2.1 s
 * for the demo model on wasm) and show when the runtime has settled: another follows while one is
 * clearly faster than the one before.
 */
export async function warmUpUntilSteady(
  m: WarmUpParts,
  say: (round: number, step: number, text: string) => void = () => {},
  now: () => number = () => performance.now(),
  rule: SteadyRule = STEADY_RULE,
): Promise<SteadyWarmUp> {
  return repeatUntilSteady((round) => warmUpStages(m, (step, text) => say(round, step, text), now), rule);
}

/** Runs `round` (which returns its own duration) as `rule` says; see warmUpUntilSteady. */
export async function repeatUntilSteady(round: (n: number) => Promise<number>, rule: SteadyRule): Promise<SteadyWarmUp> {
  const roundsMs: number[] = [];
  for (;;) {
    roundsMs.push(await round(roundsMs.length + 1));
    const last = roundsMs[roundsMs.length - 1]!;
    const before = roundsMs[roundsMs.length - 2];
    const again = roundsMs.length < rule.maxRounds && (before === undefined ? last < rule.repeatBelowMs : last < rule.stillImproving * before);
    if (!again) break;
  }
  return { totalMs: roundsMs.reduce((a, b) => a + b, 0), roundsMs };
}
