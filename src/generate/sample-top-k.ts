import { argmax, type Logits } from './sampling-basics';

/** Top-k sampling (transformers' order: temperature, top-k, top-p). */

let topBuf: Float64Array | undefined;
let keptIds: Int32Array | undefined;
let keptP: Float64Array | undefined;
/** Kept-token count of the last sampleTopK call (for tests against the reference). */
export let lastKeptCount = 0;

/**
 * The warpers of transformers 4.36 with top_k on, as models/hf_warpers.py writes them (and checks
 * them into models/sampling/hf-warpers-golden.json): x = l / T; every x below the top_k-th largest
 * dropped (ties with it kept); softmax over the rest; top-p drops, from the least likely up, every
 * token whose ascending cumulative share is <= 1 - top_p (the most likely always stays); one draw
 * by inverse CDF, most likely first (ties: lower id first). Dividing by T keeps the order of the
 * logits, so the top-k threshold is found on the raw logits in one pass with a sorted buffer of
 * k values, and only the ~k survivors get an exp. Every sum runs in the reference's order, so the
 * token is the reference's bit for bit.
 */
export function sampleTopK(logits: Logits, temperature: number, k: number, topP: number, rng: () => number): number {
  const n = logits.length;
  if (!topBuf || topBuf.length < k) topBuf = new Float64Array(k);
  const top = topBuf; // the k largest so far, ascending; top[0] is the threshold
  if (!keptIds || keptIds.length < n) {
    keptIds = new Int32Array(n);
    keptP = new Float64Array(n);
  }
  // One pass: every id that is at least the running threshold when it is seen is a candidate
  // (the threshold only rises, so the final top-k and everything tied with its last are among
  // them: typically k + k ln(n/k) ids).
  const ids = keptIds;
  let candidates = 0;
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const l = logits[i]!;
    if (filled === k) {
      if (!(l >= top[0]!)) continue; // also skips NaN
      ids[candidates++] = i;
      if (l === top[0]) continue;
      let j = 1;
      while (j < k && top[j]! < l) {
        top[j - 1] = top[j]!;
        j++;
      }
      top[j - 1] = l;
    } else if (l === l) {
      ids[candidates++] = i;
      let j = filled++;
      while (j > 0 && top[j - 1]! > l) {
        top[j] = top[j - 1]!;
        j--;
      }
      top[j] = l;
    }
  }
  if (filled === 0) return argmax(logits);
  const threshold = top[0]!;
  const p = keptP!;
  let count = 0;
  let max = -Infinity;
  for (let c = 0; c < candidates; c++) {
    const i = ids[c]!;
    const l = logits[i]!;
    if (l >= threshold) {
      ids[count++] = i;
      const x = l / temperature;
      if (x > max) max = x;
    }
  }
  for (let j = 0; j < count; j++) p[j] = Math.exp(logits[ids[j]!]! / temperature - max);
  // Most likely first, ties lower id first.
  const order = Array.from(ids.subarray(0, count));
  const prob = new Map<number, number>();
  for (let j = 0; j < count; j++) prob.set(ids[j]!, p[j]!);
  order.sort((a, b) => prob.get(b)! - prob.get(a)! || a - b);
  let kept = count;
  if (topP < 1) {
    let total = 0;
    for (let j = count - 1; j >= 0; j--) total += prob.get(order[j]!)!;
    let cum = 0;
    let removed = 0;
    for (let j = count - 1; j >= 1; j--) {
      cum += prob.get(order[j]!)!;
      if (cum / total <= 1 - topP) removed++;
      else break;
    }
    kept = count - removed;
  }
  lastKeptCount = kept;
  let mass = 0;
  for (let j = 0; j < kept; j++) mass += prob.get(order[j]!)!;
  let r = rng() * mass;
  for (let j = 0; j < kept; j++) {
    r -= prob.get(order[j]!)!;
    if (r <= 0) return order[j]!;
  }
  return order[kept - 1]!;
}
