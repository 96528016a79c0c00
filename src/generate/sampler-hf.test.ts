import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRng, lastKeptCount, sampleToken, sampleTokenExact } from './sampler';

interface Case {
  n: number;
  kind: 'peaked' | 'flat' | 'ties';
  temperature: number;
  topK: number;
  topP: number;
  u: number[];
  tokens: number[];
  kept: number;
}

const golden = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../models/sampling/hf-warpers-golden.json', import.meta.url)), 'utf8'),
) as { seed: number; cases: Case[] };

/** models/hf_warpers.py case_logits: the same float32 numbers from the same mulberry32 stream. */
function caseLogits(rng: () => number, n: number, kind: Case['kind']): Float32Array {
  const scale = { peaked: 6.0, flat: 1.5, ties: 4.0 }[kind];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = (rng() + rng() + rng() - 1.5) * scale;
    if (rng() < 0.002) v += rng() * 12.0;
    if (kind === 'ties') v = Math.floor(v * 4) / 4;
    out[i] = v;
  }
  return out;
}

/**
 * The sampler against a Python reference of transformers 4.36's warpers (models/hf_warpers.py:
 * temperature, then top-k with ties kept, then top-p on what is left, sampling only above
 * temperature 0.001), token for token on thousands of seeded cases: four uniforms per case, two
 * of them at the ends of the range, so the first and the LAST kept token are both hit.
 */
describe('sampler = transformers warpers (temperature, top-k, top-p), token for token', () => {
  it('matches every golden case, through both entry points', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(3000);
    const stream = createRng(golden.seed);
    let topKCases = 0;
    let tiesBeyondK = 0;
    for (const [index, c] of golden.cases.entries()) {
      const logits = caseLogits(stream, c.n, c.kind);
      const us = [stream(), stream(), 1 - 2 ** -30, 0];
      expect(us.slice(0, 2)).toEqual(c.u.slice(0, 2));
      const params = { temperature: c.temperature, topP: c.topP, topK: c.topK };
      const got = us.map((u) => sampleToken(logits, params, () => u));
      expect(got, `case ${index} ${JSON.stringify(params)} n=${c.n} ${c.kind}`).toEqual(c.tokens);
      expect(us.map((u) => sampleTokenExact(logits, params, () => u)), `exact, case ${index}`).toEqual(c.tokens);
      if (c.temperature > 0.001 && c.topK > 0 && c.topK < c.n) {
        topKCases++;
        expect(lastKeptCount, `kept, case ${index}`).toBe(c.kept);
        if (c.kept > c.topK) tiesBeyondK++;
      }
    }
    expect(topKCases).toBeGreaterThan(1000);
    expect(tiesBeyondK).toBeGreaterThan(0);
  }, 300_000);

  it('is greedy at temperature 0.001 and below, as upstream (do_sample = temperature > 0.001)', () => {
    const logits = [0, 1, 0.99, 0.98];
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) expect(sampleToken(logits, { temperature: 0.001, topP: 1, topK: 50 }, rng)).toBe(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(sampleToken(logits, { temperature: 0.0011 * 100, topP: 1, topK: 50 }, rng));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('top-k 50 keeps at most the 50 most likely (plus ties) even when top-p would keep more', () => {
    const logits = new Float32Array(32000).fill(0); // uniform: top-p 0.8 alone would keep 25600
    for (let i = 0; i < 200; i++) logits[i * 7] = 1;
    const rng = createRng(9);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, { temperature: 1, topP: 0.8, topK: 50 }, rng));
    // The 200 tied at the top are all kept by top-k (ties with the 50th); top-p 0.8 then drops
    // the least likely while their share is <= 1 - 0.8, which in doubles is 0.19999999999999996:
    // 39 go (the 40th has a share of exactly 0.2), 161 stay, lower ids first.
    expect(lastKeptCount).toBe(161);
    expect([...seen].every((id) => id % 7 === 0 && id < 161 * 7)).toBe(true);
    expect(seen.size).toBeGreaterThan(150);
  });
});
