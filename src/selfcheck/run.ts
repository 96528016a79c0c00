import type { DecoderBackend } from '../generate/backend';
import { tokenizeWithImage, type ChunkTokenizer } from '../generate/image-tokens';
import { presetUserText, renderChat } from '../generate/prompt';
import { yieldToEventLoop } from '../generate/yield';
import type { ModelManifest } from '../model/manifest';
import { preprocessGray } from '../preprocess/preprocess';
import type { GrayImage } from '../preprocess/types';
import { comparePixels, comparePrompt, compareRows, compareTokens, type PixelCheck, type Precision, type RowCheck, type TokenCheck } from './compare';
import type { SelfCheckReference } from './reference';

/**
 * In order: the sample file itself, selfcheck.json (its download and hash), preprocessing, the
 * vision encoder, the prompt's token ids, greedy decoding; 'runtime' when a stage threw.
 */
export type SelfCheckStage = 'sample' | 'reference' | 'preprocess' | 'vision' | 'prompt' | 'decoder' | 'runtime';

/** The outcome, as sent from the worker and kept per device and model. */
export interface SelfCheckResult {
  ok: boolean;
  /** The first stage that failed. */
  failedStage?: SelfCheckStage;
  /** One sentence for the model panel and the exports. */
  summary: string;
  precision: Precision;
  /** Which reference decoder the tokens were compared with (see models/selfcheck.py). */
  decoderReference: string;
  pixels?: PixelCheck;
  rows?: RowCheck;
  promptFirstDifference?: number;
  tokens?: TokenCheck;
  /** Stopped by a user request (a report or a question) before it finished: no verdict. */
  interrupted?: boolean;
  /** The greedy tokens this device produced, and each step's top-2 margin. */
  produced?: { tokens: number[]; margins: number[] };
  ms: number;
}

export interface SelfCheckParts {
  manifest: Pick<ModelManifest, 'prompts' | 'decoder' | 'vision'>;
  reference: SelfCheckReference;
  /** Which reference decoder matches the decoder in use ("checkpoint" for ONNX, else the quant). */
  decoderReference: string;
  precision: Precision;
  encode(pixels: Float32Array): Promise<{ rows: Float32Array; count: number; dim: number }>;
  backend: DecoderBackend;
  tokenizer: ChunkTokenizer;
  /** sha256 (hex) of the sample file the caller decoded; checked against the reference's. */
  sampleSha256: string;
  now(): number;
  /** Aborted when the user asks for a report: the check stops at the next step. */
  signal?: AbortSignal;
}

/**
 * Runs the sample through this device's stages and compares each with the reference: pixels,
 * image rows, prompt ids, then greedy decoding of the report prompt. Leaves the backend's cache
 * empty and the sample's rows set; the caller restores what it had.
 */
export async function runSelfCheck(image: GrayImage, p: SelfCheckParts): Promise<SelfCheckResult> {
  const t0 = p.now();
  const ref = p.reference;
  const decoderRef = ref.decoders[p.decoderReference];
  const base = { precision: p.precision, decoderReference: p.decoderReference };
  const done = (r: Omit<SelfCheckResult, 'ms' | 'precision' | 'decoderReference'>): SelfCheckResult => ({ ...base, ...r, ms: p.now() - t0 });
  if (p.sampleSha256 !== ref.image.sha256) {
    return done({ ok: false, failedStage: 'sample', summary: `The sample radiograph this app serves (sha256 ${p.sampleSha256.slice(0, 12)}…) is not the one the reference was computed from (${ref.image.sha256.slice(0, 12)}…).` });
  }
  if (!decoderRef) {
    return done({ ok: false, failedStage: 'decoder', summary: `selfcheck.json has no reference for the ${p.decoderReference} decoder this device runs.` });
  }

  const pre = preprocessGray(image, p.manifest.vision);
  const pixels = comparePixels(pre.tensor, ref.pixels);
  const encoded = await p.encode(pre.tensor);
  const rows = compareRows(encoded.rows, encoded.count, encoded.dim, ref.vision, p.precision);

  const { prompts, decoder } = p.manifest;
  const segments = tokenizeWithImage(renderChat(prompts.system, [{ user: presetUserText(prompts, 'report') }]), p.tokenizer, decoder.bosTokenId, prompts.imageToken);
  const ids = segments.flatMap((s) => (s.kind === 'text' ? s.ids : [ref.prompt.imageTokenId]));
  const prompt = comparePrompt(ids, ref.prompt.ids);

  await p.backend.trimCache(0);
  await p.backend.setImage(encoded.rows, encoded.count, encoded.dim);
  const produced: { tokens: number[]; margins: number[] } = { tokens: [], margins: [] };
  const interrupted = () => done({ ok: false, interrupted: true, summary: 'The self-check was interrupted by a request and will run again.' });
  if (p.signal?.aborted) return interrupted();
  let logits = await p.backend.forward(segments);
  for (let step = 0; step < decoderRef.tokens.length; step++) {
    // The worker's interrupt message is a macrotask: let it in between steps.
    await yieldToEventLoop();
    if (p.signal?.aborted) return interrupted();
    const [id, margin] = top2(logits);
    produced.tokens.push(id);
    produced.margins.push(margin);
    if (id === ref.eosTokenId || step + 1 === decoderRef.tokens.length) break;
    logits = await p.backend.forward([{ kind: 'text', ids: [id] }]);
  }
  await p.backend.trimCache(0);
  const tokens = compareTokens(produced.tokens, decoderRef, p.precision);

  const parts = { pixels, rows, promptFirstDifference: prompt.firstDifference, tokens, produced };
  if (!pixels.ok) {
    return done({ ok: false, failedStage: 'preprocess', summary: `Preprocessing differs from the reference (input mean off by ${pixels.meanError.toExponential(1)}, std by ${pixels.stdError.toExponential(1)}).`, ...parts });
  }
  if (!rows.ok) {
    const why =
      rows.minCosine < rows.thresholds.minCosine
        ? `row ${rows.worstCosineRow} has cosine ${rows.minCosine.toFixed(6)} with the reference (needs ${rows.thresholds.minCosine})`
        : `row ${rows.worstNormRow}'s norm is off by ${(rows.maxNormError * 100).toFixed(2)}% (allowed ${rows.thresholds.maxNormError * 100}%)`;
    return done({ ok: false, failedStage: 'vision', summary: `The vision encoder's image rows differ from the reference: ${why}.`, ...parts });
  }
  if (!prompt.ok) {
    return done({ ok: false, failedStage: 'prompt', summary: `The report prompt's token ids differ from the reference at position ${prompt.firstDifference}.`, ...parts });
  }
  if (!tokens.ok) {
    return done({
      ok: false,
      failedStage: 'decoder',
      summary: `The decoder's greedy text differs from the ${p.decoderReference} reference at token ${tokens.failedAt! + 1} of ${tokens.steps} (expected id ${tokens.expected}, got ${tokens.got}).`,
      ...parts,
    });
  }
  const stop =
    tokens.stoppedAtLowMargin !== undefined
      ? ` (stopped at step ${tokens.compared + 1}: its reference margin ${decoderRef.margins[tokens.compared]} is under ${tokens.marginTolerance}, so either token is correct)`
      : '';
  return done({
    ok: true,
    summary: `Image rows match (lowest cosine ${rows.minCosine.toFixed(6)}) and ${tokens.compared} of ${tokens.steps} greedy tokens equal the ${p.decoderReference} reference${stop}.`,
    ...parts,
  });
}

/** The argmax and the gap to the runner-up. */
export function top2(logits: Float32Array): [number, number] {
  let best = 0;
  let a = -Infinity;
  let b = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > a) {
      b = a;
      a = v;
      best = i;
    } else if (v > b) b = v;
  }
  return [best, a - b];
}
