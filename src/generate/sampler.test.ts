import { describe, expect, it } from 'vitest';
import { argmax, createRng, sampleToken } from './sampler';

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
