import { describe, expect, it } from 'vitest';
import { comparePrompt, compareRows, compareTokens, THRESHOLDS } from './compare';
import { parseSelfCheck } from './reference';
import { top2 } from './run';

const ref = { tokens: [5, 6, 7, 8], margins: [1, 0.5, 0.005, 2], weights: 'test' };

describe('self-check comparisons', () => {
  it('tokens: equal up to the first step whose reference margin is under the tolerance', () => {
    expect(compareTokens([5, 6, 99, 99], ref, 'fp32')).toMatchObject({ ok: true, compared: 2, stoppedAtLowMargin: 2 });
    expect(compareTokens([5, 9, 7, 8], ref, 'fp32')).toMatchObject({ ok: false, failedAt: 1, expected: 6, got: 9 });
    // fp16 tolerates more: step 1 (margin 0.5) still counts, so step 2 ends it.
    expect(compareTokens([5, 6], { ...ref, margins: [1, 0.5, 0.2, 2] }, 'fp16')).toMatchObject({ ok: true, compared: 2 });
    expect(compareTokens([5], { ...ref, margins: [0.1, 1, 1, 1] }, 'fp16')).toMatchObject({ ok: true, compared: 0 });
    const all = compareTokens([5, 6, 7, 8], { ...ref, margins: [1, 1, 1, 1] }, 'fp32');
    expect(all).toMatchObject({ ok: true, compared: 4 });
    expect(all.stoppedAtLowMargin).toBeUndefined();
    // A run that stopped early (e.g. an EOS the reference did not produce) fails where it ends.
    expect(compareTokens([5], { ...ref, margins: [1, 1, 1, 1] }, 'fp32')).toMatchObject({ ok: false, failedAt: 1, got: -1 });
  });

  const vision = { rows: 2, dim: 3, norms: [Math.sqrt(14), 1], sampleIndices: [0, 1], samples: [[1, 2, 3], [0, 0, 1]] };
  it('rows: cosine per sampled row and the norm of every row', () => {
    expect(compareRows(Float32Array.of(1, 2, 3, 0, 0, 1), 2, 3, vision, 'fp32')).toMatchObject({ ok: true, minCosine: 1 });
    const scaled = compareRows(Float32Array.of(1, 2, 3, 0, 0, 1.005), 2, 3, vision, 'fp32');
    expect(scaled).toMatchObject({ ok: false, worstNormRow: 1 });
    expect(compareRows(Float32Array.of(1, 2, 3, 0, 0, 1.005), 2, 3, vision, 'fp16').ok).toBe(true);
    const turned = compareRows(Float32Array.of(1, 2, 3, 0, 0.1, 1), 2, 3, vision, 'fp16');
    expect(turned.worstCosineRow).toBe(1);
    expect(turned.minCosine).toBeLessThan(THRESHOLDS.fp16.minCosine);
    expect(compareRows(Float32Array.of(NaN, 2, 3, 0, 0, 1), 2, 3, vision, 'fp16').ok).toBe(false);
    expect(compareRows(Float32Array.of(1, 2, 3), 1, 3, vision, 'fp32').ok).toBe(false);
  });

  it('prompt ids and the top-2 margin', () => {
    expect(comparePrompt([1, 2, -200, 3], [1, 2, -200, 3])).toEqual({ ok: true, firstDifference: -1 });
    expect(comparePrompt([1, 2, -200], [1, 2, -200, 3])).toEqual({ ok: false, firstDifference: 3 });
    const [id, margin] = top2(Float32Array.of(0.5, 3, -1, 2.75));
    expect(id).toBe(1);
    expect(margin).toBeCloseTo(0.25, 6);
  });

  it('refuses a selfcheck.json that cannot be compared with', () => {
    expect(() => parseSelfCheck('{')).toThrow(/not JSON/);
    expect(() => parseSelfCheck(JSON.stringify({ schemaVersion: 1 }))).toThrow(/image needs url.*vision needs.*decoders is missing/);
  });
});
