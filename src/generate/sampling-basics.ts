/**
 * What every sampler shares: the seeded random numbers, the parameters, and greedy (argmax).
 */

/** Small, fast, seedable PRNG (mulberry32), so a seeded generation is reproducible. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SamplingParams {
  /**
   * At or below GREEDY_AT_OR_BELOW (0.001) generation is greedy (argmax), as the reference's
   * `do_sample = temperature > 0.001`.
   */
  temperature: number;
  topP: number;
  /**
   * transformers' top_k: after temperature, only the top_k most likely tokens (and any tied with
   * the last of them) stay; then top-p runs on those. 0 turns it off. Upstream generates with
   * GenerationConfig's default, 50. Absent means 0 here; the chat session passes the manifest's.
   */
  topK?: number;
}

/** The reference samples only when temperature > 0.001 (CXR_LLAVA_HF.py generate_cxr_repsonse). */
export const GREEDY_AT_OR_BELOW = 0.001;

/** One step's logits over the vocabulary. */
export type Logits = Float32Array | number[];

/** First index of the maximum, like torch.argmax (NaNs are skipped; 0 when all are -Infinity or NaN). */
export function argmax(logits: Logits): number {
  let best = 0;
  let max = -Infinity;
  const n = logits.length;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (v > max) {
      max = v;
      best = i;
    }
  }
  return best;
}
