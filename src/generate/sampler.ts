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
export function argmax(logits: Float32Array | number[]): number {
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

/**
 * Temperature then nucleus (top-p) sampling, as transformers' TemperatureLogitsWarper and
 * TopPLogitsWarper do: keep the smallest set of most likely tokens whose probability reaches top_p
 * (always at least one). Only the probabilities are sorted (a native numeric sort) to find the
 * cut-off; then just the few tokens above it are ordered, so a step costs ~1 ms, not a full
 * index sort of the vocabulary.
 */
export function sampleToken(logits: Float32Array | number[], params: SamplingParams, rng: () => number): number {
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
  const topP = Math.min(1, Math.max(0, params.topP));
  // The nucleus is made of the largest probabilities, so once every token above some threshold
  // holds top_p of the mass, the nucleus lies among them: only those few need sorting. The
  // threshold starts near the peak and drops until that holds (a few linear scans at most).
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
  kept.sort((x, y) => probs[y]! - probs[x]! || x - y);
  let keptMass = 0;
  for (const i of kept) keptMass += probs[i]!;
  let r = rng() * keptMass;
  for (const i of kept) {
    r -= probs[i]!;
    if (r <= 0) return i;
  }
  return kept[kept.length - 1]!;
}
