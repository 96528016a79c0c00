import { argmax, GREEDY_AT_OR_BELOW, type Logits, type SamplingParams } from './sampling-basics';
import { sampleTopK } from './sample-top-k';

let exactProbs: Float64Array | undefined;

/**
 * The straightforward computation over the whole vocabulary: every probability and their exact
 * sum, then the nucleus (the reference for `sampleToken`, and its path for the steps it cannot
 * settle cheaply; this was the sampler before). The nucleus lies among the tokens above a
 * threshold that starts near the peak and drops until they hold top_p of the mass, so only those
 * are sorted.
 */
export function sampleTokenExact(logits: Logits, params: SamplingParams, rng: () => number): number {
  if (!(params.temperature > GREEDY_AT_OR_BELOW)) return argmax(logits);
  const topK = Math.floor(params.topK ?? 0);
  if (topK > 0 && topK < logits.length) return sampleTopK(logits, params.temperature, topK, params.topP, rng);
  const n = logits.length;
  const invT = 1 / params.temperature;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]! * invT);
  if (!exactProbs || exactProbs.length < n) exactProbs = new Float64Array(n);
  const probs = exactProbs;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.exp(logits[i]! * invT - max);
    probs[i] = p;
    sum += p;
  }
  const topP = Math.min(1, Math.max(0, params.topP));
  const peak = 1; // exp(max - max)
  let candidates: number[] = [];
  for (let threshold = peak * 1e-3; ; threshold *= 1e-3) {
    candidates = [];
    let mass = 0;
    for (let i = 0; i < n; i++) {
      if (probs[i]! >= threshold) {
        candidates.push(i);
        mass += probs[i]!;
      }
    }
    if (mass / sum >= topP || threshold < 1e-300) break;
  }
  candidates.sort((x, y) => probs[y]! - probs[x]! || x - y);
  const kept: number[] = [];
  let mass = 0;
  for (const i of candidates) {
    kept.push(i);
    mass += probs[i]!;
    if (mass / sum >= topP) break;
  }
  let keptMass = 0;
  for (const i of kept) keptMass += probs[i]!;
  let r = rng() * keptMass;
  for (const i of kept) {
    r -= probs[i]!;
    if (r <= 0) return i;
  }
  return kept[kept.length - 1]!;
}
