import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPython, runTorchBench } from './torch-baseline';
import { errorStats, readMeta, runOrtConfig } from './vision-bench';
import { selfCheckRows } from './vision-core';

describe('errorStats', () => {
  it('gives max abs, relative L2 and max abs over max |ref|', () => {
    const ref = new Float32Array([1, -2, 2, 0]);
    const e = errorStats([1, -2, 2.5, 0], ref);
    expect(e.maxAbs).toBeCloseTo(0.5);
    expect(e.relL2).toBeCloseTo(0.5 / 3);
    expect(e.maxAbsOverMaxRef).toBeCloseTo(0.25);
    expect(errorStats([NaN, -2, 2, 0], ref).maxAbs).toBeNaN();
    expect(() => errorStats([1], ref)).toThrow(/1 values/);
  });
});

describe('selfCheckRows (the self-check verdict of a bench run)', () => {
  const dim = 64;
  const ref = Float32Array.from({ length: 8 * dim }, (_, i) => Math.sin(i * 0.37) + 0.1 * (i % 7));

  it('passes the reference itself, and a row scaled by 1.0005 only at fp16 tolerance (its norm is 0.05 % off)', () => {
    expect(selfCheckRows(ref, ref, dim, 'fp32')).toMatchObject({ ok: true, minCosine: expect.closeTo(1, 9), maxNormError: expect.closeTo(0, 6) });
    const scaled = ref.slice();
    for (let i = 3 * dim; i < 4 * dim; i++) scaled[i]! *= 1.0005;
    expect(selfCheckRows(scaled, ref, dim, 'fp32')).toMatchObject({ ok: true, worstNormRow: 3 });
    for (let i = 3 * dim; i < 4 * dim; i++) scaled[i]! *= 1.002;
    expect(selfCheckRows(scaled, ref, dim, 'fp32')).toMatchObject({ ok: false, worstNormRow: 3 });
    expect(selfCheckRows(scaled, ref, dim, 'fp16').ok).toBe(true);
  });

  it('names the row whose direction is wrong, and fails on NaN', () => {
    const bad = ref.slice();
    bad.set(ref.subarray(0, dim).map((v) => -v), 5 * dim);
    expect(selfCheckRows(bad, ref, dim, 'fp16')).toMatchObject({ ok: false, worstCosineRow: 5 });
    bad.set(ref.subarray(5 * dim, 6 * dim), 5 * dim);
    bad[2 * dim + 1] = NaN;
    expect(selfCheckRows(bad, ref, dim, 'fp16').ok).toBe(false);
    expect(() => selfCheckRows(bad.subarray(dim), ref, dim, 'fp32')).toThrow(/rows of 64/);
  });
});

// The whole chain on a SMOKE-sized model (width 64, 64 px, 1 layer): the converter's export via
// make_vision_large.py, PyTorch on the same checkpoint, ORT wasm on the exported graph.
describe('vision bench end to end (smoke model)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vision-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports, runs PyTorch and ORT on the same weights, and they agree', async () => {
    const { python } = findPython();
    const made = spawnSync(python, ['models/bench/make_vision_large.py', '--out', dir, '--layers', '1', '--width', '64', '--image-size', '64', '--blas', 'system'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const meta = await readMeta(dir);
    expect(meta).toMatchObject({ layers: 1, width: 64, heads: 1, tokens: 17, imageRows: 16, outputDim: 4096, inputShape: [1, 1, 64, 64], outputShape: [1, 16, 4096] });

    const ort = await runOrtConfig({ modelDir: dir, build: 'wasm', dtype: 'fp32', opt: 'all', runs: 2, warmup: 1, threads: 1, dawnFlags: [], secondSession: false });
    expect(ort.outputDims).toEqual([1, 16, 4096]);
    expect(ort.runsMs).toHaveLength(2);
    expect(ort.error.relL2).toBeLessThan(1e-5);
    // What "Verify model" would say of the rows at fp32 tolerance: every row checked.
    expect(ort.selfCheckRows).toMatchObject({ ok: true, thresholds: { minCosine: 0.9999 } });

    const torch = await runTorchBench({ modelDir: dir, device: 'cpu', dtypes: ['fp32'], runs: 1, warmup: 0, timeoutMs: 120_000 });
    expect(torch.device).toBe('cpu');
    expect(torch.results.fp32!.error.relL2).toBeLessThan(1e-5);
  }, 180_000);
});
