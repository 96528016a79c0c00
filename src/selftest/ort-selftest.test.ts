import { describe, expect, it } from 'vitest';
import { maxAbsDiff, selfTestInput, SELFTEST_DIMS } from './ort-selftest';

describe('self-test helpers', () => {
  it('makes the same finite input every time, spread over [-2, 2]', () => {
    const a = selfTestInput();
    const b = selfTestInput();
    expect(a.length).toBe(SELFTEST_DIMS[0] * SELFTEST_DIMS[1] * SELFTEST_DIMS[2]);
    expect(maxAbsDiff(a, b)).toBe(0);
    const min = Math.min(...a);
    const max = Math.max(...a);
    expect(min).toBeGreaterThanOrEqual(-2);
    expect(max).toBeLessThanOrEqual(2);
    expect(max - min).toBeGreaterThan(3.9);
  });

  it('reports the largest absolute difference and refuses mismatched lengths', () => {
    expect(maxAbsDiff(new Float32Array([1, 2, 3]), new Float32Array([1, 2.5, 2]))).toBeCloseTo(1);
    expect(() => maxAbsDiff(new Float32Array(2), new Float32Array(3))).toThrow(/length mismatch/);
  });
});
