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
  /** 0 means greedy (argmax), as in the reference's do_sample=False. */
  temperature: number;
  topP: number;
}

/** First index of the maximum, like torch.argmax. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > max) {
      max = v;
      best = i;
    }
  }
  return best;
}

/**
 * Temperature then nucleus (top-p) sampling, as transformers' TemperatureLogitsWarper and
 * TopPLogitsWarper do: keep the smallest set of most likely tokens whose probability reaches top_p
 * (always at least one).
 */
export function sampleToken(logits: ArrayLike<number>, params: SamplingParams, rng: () => number): number {
  if (params.temperature <= 0) return argmax(logits);
  const n = logits.length;
  const invT = 1 / params.temperature;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]! * invT);
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.exp(logits[i]! * invT - max);
    probs[i] = p;
    sum += p;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => probs[y]! - probs[x]! || x - y);
  const topP = Math.min(1, Math.max(0, params.topP));
  let kept = 0;
  let mass = 0;
  for (const i of order) {
    mass += probs[i]! / sum;
    kept++;
    if (mass >= topP) break;
  }
  let r = rng() * mass * sum;
  for (let k = 0; k < kept; k++) {
    const i = order[k]!;
    r -= probs[i]!;
    if (r <= 0) return i;
  }
  return order[kept - 1]!;
}
