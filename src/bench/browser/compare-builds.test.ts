import { describe, expect, it } from 'vitest';
import { comparedBuilds } from './pipeline-cli';
import { COMPARED_BUILDS, comparedBuildFiles } from './protocol';

describe('bench --compare-builds', () => {
  it('is none without the flag, asyncify with it alone, else the builds named, once each', () => {
    expect(comparedBuilds(['--ep', 'wasm'], 'wasm')).toEqual([]);
    expect(comparedBuilds(['--compare-builds', '--runs', '3'], 'wasm')).toEqual(['asyncify']);
    expect(comparedBuilds(['--compare-builds'], 'webgpu')).toEqual(['asyncify']);
    expect(comparedBuilds(['--compare-builds', 'jsep,wasm,jsep'], 'wasm')).toEqual(['jsep', 'wasm']);
  });

  it('refuses an unknown build, and the CPU-only build on WebGPU', () => {
    expect(() => comparedBuilds(['--compare-builds', 'jspi'], 'wasm')).toThrow(/one or more of asyncify, jsep, wasm/);
    expect(() => comparedBuilds(['--compare-builds', 'wasm'], 'webgpu')).toThrow(/no WebGPU/);
  });

  it("serves each build's loader and wasm as onnxruntime-web names them", async () => {
    const { existsSync } = await import('node:fs');
    const dist = new URL('../../../node_modules/onnxruntime-web/dist/', import.meta.url);
    for (const b of COMPARED_BUILDS) for (const f of comparedBuildFiles(b)) expect(existsSync(new URL(f, dist)), f).toBe(true);
  });
});
