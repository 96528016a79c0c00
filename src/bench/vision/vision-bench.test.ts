import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPython, runTorchBench } from './torch-baseline';
import { errorStats, readMeta, runOrtConfig } from './vision-bench';

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

    const torch = await runTorchBench({ modelDir: dir, device: 'cpu', dtypes: ['fp32'], runs: 1, warmup: 0, timeoutMs: 120_000 });
    expect(torch.device).toBe('cpu');
    expect(torch.results.fp32!.error.relL2).toBeLessThan(1e-5);
  }, 180_000);
});
