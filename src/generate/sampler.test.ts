import { describe, expect, it } from 'vitest';
import { argmax, createRng, sampleToken, sampleTokenExact } from './sampler';

describe('sampler', () => {
  it('is greedy at temperature 0 and picks the first maximum, like torch.argmax', () => {
    expect(argmax([0.1, 3, 3, -1])).toBe(1);
    expect(sampleToken([0.1, 3, 2, -1], { temperature: 0, topP: 0.8 }, createRng(1))).toBe(1);
  });

  it('keeps only the top-p nucleus', () => {
    // probabilities ≈ [0.64, 0.24, 0.09, 0.03]: top_p 0.8 keeps the first two only.
    const logits = [Math.log(0.64), Math.log(0.24), Math.log(0.09), Math.log(0.03)];
    const rng = createRng(42);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, { temperature: 1, topP: 0.8 }, rng)]!++;
    expect(counts[2]).toBe(0);
    expect(counts[3]).toBe(0);
    // Renormalised within the nucleus: 0.64 / 0.88 ≈ 0.727.
    expect(counts[0]! / 4000).toBeGreaterThan(0.69);
    expect(counts[0]! / 4000).toBeLessThan(0.76);
  });

  it('sharpens with a low temperature and is reproducible from a seed', () => {
    const logits = [1, 0.5, 0, -0.5];
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 50 }, () => sampleToken(logits, { temperature: 0.2, topP: 1 }, rng));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7).filter((x) => x === 0).length).toBeGreaterThan(40);
  });
});

/** The textbook computation: every probability, one full sort (probability descending, then id), the nucleus, one draw. */
function fullSortReference(logits: Float32Array, temperature: number) {
  const n = logits.length;
  const invT = 1 / temperature;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]! * invT);
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    probs[i] = Math.exp(logits[i]! * invT - max);
    sum += probs[i]!;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
  return (topP: number, rng: () => number) => {
    const p = Math.min(1, Math.max(0, topP));
    const kept: number[] = [];
    let mass = 0;
    for (const i of order) {
      kept.push(i);
      mass += probs[i]!;
      if (mass / sum >= p) break;
    }
    let keptMass = 0;
    for (const i of kept) keptMass += probs[i]!;
    let r = rng() * keptMass;
    for (const i of kept) {
      r -= probs[i]!;
      if (r <= 0) return i;
    }
    return kept[kept.length - 1]!;
  };
}

/** Logit vectors of the shapes generation meets: LLM-like (a peak over a broad bulk), flat, tied, masked. */
function logitCases(): { name: string; logits: Float32Array }[] {
  const rng = createRng(2024);
  const gauss = () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
  const make = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  const cases: { name: string; logits: Float32Array }[] = [];
  for (let k = 0; k < 6; k++) {
    cases.push({ name: `random-weights-like ${k}`, logits: make(32000, () => gauss()) });
    const peak = 8 + 4 * k;
    cases.push({ name: `peaked ${k}`, logits: make(32000, (i) => 2.5 * gauss() + (i % 997 === k ? peak - 2 * (i % 3) : 0)) });
  }
  for (let k = 0; k < 20; k++) {
    const n = [7, 64, 1000, 5000][k % 4]!;
    const scale = [0.01, 0.3, 1, 3, 10][k % 5]!;
    cases.push({ name: `gaussian n=${n} scale=${scale}`, logits: make(n, () => scale * gauss()) });
    // Quantised: many exact ties, so the id order among equal probabilities decides.
    cases.push({ name: `tied n=${n}`, logits: make(n, () => Math.round(gauss() * 2) / 2) });
  }
  cases.push({ name: 'flat', logits: new Float32Array(32000) });
  cases.push({ name: 'one hot', logits: make(32000, (i) => (i === 31999 ? 10 : 0)) });
  cases.push({ name: 'two equal peaks', logits: make(32000, (i) => (i === 5 || i === 70 ? 12 : gauss())) });
  cases.push({ name: 'masked', logits: make(32000, (i) => (i % 3 === 0 ? -Infinity : gauss())) });
  cases.push({ name: 'large logits', logits: make(32000, () => 40 + 8 * gauss()) });
  return cases;
}

describe('sampler fast path', () => {
  it('picks the same token as the full-sort reference, seed for seed, on peaked, flat and tied logits', () => {
    let compared = 0;
    for (const { name, logits } of logitCases()) {
      const full = logits.length === 32000;
      for (const temperature of full ? [0.2, 1] : [0.2, 0.7, 1, 1.5]) {
        const reference = fullSortReference(logits, temperature);
        for (const topP of full ? [0.5, 0.8, 0.95] : [0.05, 0.5, 0.8, 0.95, 0.999]) {
          for (let seed = 0; seed < 8; seed++) {
            const want = reference(topP, createRng(seed));
            const got = sampleToken(logits, { temperature, topP }, createRng(seed));
            if (got !== want) throw new Error(`${name}, T ${temperature}, top-p ${topP}, seed ${seed}: ${got}, reference ${want}`);
            if (seed === 0) expect(sampleTokenExact(logits, { temperature, topP }, createRng(seed))).toBe(want);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1500);
  }, 60_000);

  it('draws one rng value per sampled token, as the reference does, so later draws stay in step', () => {
    const logits = logitCases()[0]!.logits;
    const a = createRng(9);
    const b = createRng(9);
    for (let i = 0; i < 20; i++) {
      expect(sampleToken(logits, { temperature: 0.2, topP: 0.8 }, a)).toBe(sampleTokenExact(logits, { temperature: 0.2, topP: 0.8 }, b));
    }
    expect(a()).toBe(b());
  });

  it('argmax is the first maximum, skipping NaN, for any length', () => {
    const naive = (x: ArrayLike<number>) => {
      let best = 0;
      let max = -Infinity;
      for (let i = 0; i < x.length; i++) if (x[i]! > max) [max, best] = [x[i]!, i];
      return best;
    };
    const rng = createRng(3);
    for (let n = 1; n < 40; n++) {
      for (let k = 0; k < 20; k++) {
        const x = Float32Array.from({ length: n }, () => {
          const r = rng();
          return r < 0.1 ? NaN : r < 0.2 ? -Infinity : Math.round(rng() * 4);
        });
        expect(argmax(x)).toBe(naive(x));
      }
    }
    expect(argmax([NaN, NaN])).toBe(0);
    expect(argmax([-Infinity, -Infinity, -Infinity])).toBe(0);
    expect(argmax(new Float32Array([-0, 0, 0]))).toBe(0);
  });
});
