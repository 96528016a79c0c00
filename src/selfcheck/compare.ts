import type { DecoderReference, SelfCheckReference } from './reference';

/**
 * How close this device's outputs must be to the PyTorch reference (models/selfcheck.py).
 *
 * Precision of a run: "fp32" when the vision encoder runs vision.onnx and the decoder computes in
 * float32 (the ONNX decoder, WebLLM q4f32_1); "fp16" when either runs in half precision
 * (vision.fp16.onnx on shader-f16 adapters, WebLLM q4f16_1).
 *
 * - Pixels: the normalised input's mean and std within 1e-3 of the reference (the app's Lanczos
 *   resize equals PIL's within one grey level; a wrong decode or normalisation moves them far more).
 * - Rows: every sampled row's cosine with the reference row at least 0.9999 (fp32) / 0.999 (fp16),
 *   and every row's L2 norm within 0.1% (fp32) / 1% (fp16) of the reference norm.
 * - Tokens: greedy tokens equal to the reference decoder's, from the first step up to (not
 *   including) the first step whose reference top-2 margin is under 0.01 (fp32) / 0.25 (fp16)
 *   logits: there two correct runtimes may pick different tokens, and every later token then
 *   follows from a different text, so the comparison stops. All 32 steps count when no margin is
 *   that small.
 */
export type Precision = 'fp32' | 'fp16';

export const THRESHOLDS: Record<Precision, { minCosine: number; maxNormError: number; marginTolerance: number }> = {
  fp32: { minCosine: 0.9999, maxNormError: 1e-3, marginTolerance: 0.01 },
  fp16: { minCosine: 0.999, maxNormError: 1e-2, marginTolerance: 0.25 },
};
export const PIXEL_TOLERANCE = 1e-3;

export interface PixelCheck {
  ok: boolean;
  meanError: number;
  stdError: number;
}

export function comparePixels(tensor: Float32Array, ref: SelfCheckReference['pixels']): PixelCheck {
  let sum = 0;
  let sq = 0;
  for (const v of tensor) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / tensor.length;
  const std = Math.sqrt(Math.max(0, sq / tensor.length - mean * mean));
  const meanError = Math.abs(mean - ref.mean);
  const stdError = Math.abs(std - ref.std);
  return { ok: tensor.length === ref.count && meanError <= PIXEL_TOLERANCE && stdError <= PIXEL_TOLERANCE, meanError, stdError };
}

export interface RowCheck {
  ok: boolean;
  /** Lowest cosine over the sampled rows, and which row. */
  minCosine: number;
  worstCosineRow: number;
  /** Largest |norm / reference norm - 1| over all rows, and which row. */
  maxNormError: number;
  worstNormRow: number;
  thresholds: { minCosine: number; maxNormError: number };
}

export function compareRows(rows: Float32Array, count: number, dim: number, ref: SelfCheckReference['vision'], precision: Precision): RowCheck {
  const t = THRESHOLDS[precision];
  const fail = (why: number): RowCheck => ({ ok: false, minCosine: why, worstCosineRow: -1, maxNormError: Infinity, worstNormRow: -1, thresholds: t });
  if (count !== ref.rows || dim !== ref.dim) return fail(NaN);
  let maxNormError = 0;
  let worstNormRow = 0;
  for (let r = 0; r < count; r++) {
    let n = 0;
    for (let i = r * dim; i < (r + 1) * dim; i++) n += rows[i]! * rows[i]!;
    const refNorm = ref.norms[r]!;
    const err = refNorm > 0 ? Math.abs(Math.sqrt(n) / refNorm - 1) : Math.sqrt(n);
    // NaN (a broken kernel) must fail: comparisons with NaN are false, so test for "not below".
    if (!(err <= maxNormError)) {
      maxNormError = Number.isNaN(err) ? Infinity : err;
      worstNormRow = r;
    }
  }
  let minCosine = 1;
  let worstCosineRow = ref.sampleIndices[0] ?? 0;
  ref.sampleIndices.forEach((r, k) => {
    const c = cosine(rows.subarray(r * dim, (r + 1) * dim), ref.samples[k]!);
    if (!(c >= minCosine)) {
      minCosine = Number.isNaN(c) ? -1 : c;
      worstCosineRow = r;
    }
  });
  return { ok: minCosine >= t.minCosine && maxNormError <= t.maxNormError, minCosine, worstCosineRow, maxNormError, worstNormRow, thresholds: t };
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : aa === bb ? 1 : 0;
}

export interface TokenCheck {
  ok: boolean;
  /** Steps compared (all equal when ok). */
  compared: number;
  /** Reference steps in all. */
  steps: number;
  /** The step where the comparison stopped because the reference margin was under tolerance. */
  stoppedAtLowMargin?: number;
  /** The first step that differs, with the expected and the produced token. */
  failedAt?: number;
  expected?: number;
  got?: number;
  marginTolerance: number;
}

export function compareTokens(got: readonly number[], ref: DecoderReference, precision: Precision): TokenCheck {
  const tol = THRESHOLDS[precision].marginTolerance;
  const base = { steps: ref.tokens.length, marginTolerance: tol };
  for (let i = 0; i < ref.tokens.length; i++) {
    if (ref.margins[i]! < tol) return { ok: true, compared: i, stoppedAtLowMargin: i, ...base };
    if (got[i] !== ref.tokens[i]) return { ok: false, compared: i, failedAt: i, expected: ref.tokens[i], got: got[i] ?? -1, ...base };
  }
  return { ok: true, compared: ref.tokens.length, ...base };
}

export function comparePrompt(got: readonly number[], ref: readonly number[]): { ok: boolean; firstDifference: number } {
  const n = Math.max(got.length, ref.length);
  for (let i = 0; i < n; i++) if (got[i] !== ref[i]) return { ok: false, firstDifference: i };
  return { ok: true, firstDifference: -1 };
}
