import { describe, expect, it } from 'vitest';
import { runPreprocessBench } from './preprocess-bench';

describe('runPreprocessBench', () => {
  it('times both implementations on the same pixels and finds the same crop', async () => {
    const r = await runPreprocessBench({ width: 900, height: 700, runs: 3, warmup: 1 });
    expect(r.typescript.runsMs).toHaveLength(3);
    expect(r.typescript.passes).toBe('wasm-simd');
    expect(r.scalar.runsMs).toHaveLength(3);
    expect(r.pil.runsMs).toHaveLength(3);
    expect(r.typescript.medianMs).toBeGreaterThan(0);
    expect(r.pil.medianMs).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.typescript.medianMs / r.pil.medianMs);
    expect(r.parity).toEqual({ maxDiff: 0, differingPixels: 0 });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  }, 60_000);
});
