import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { ProviderProbeResult } from '../capabilities/choose-provider';
import { testCaps, testGpu } from '../capabilities/test-fixtures';
import type { CapabilityReport } from '../capabilities/types';
import { nodeEngineHost } from '../node/engine-host';
import { InferenceEngine } from './engine';
import type { Reply } from './protocol';

const hardware: CapabilityReport = testCaps(testGpu({ maxBufferSize: 2 ** 32 }), { host: 'node', wasmThreads: false, crossOriginIsolated: false, logicalCores: 2 });

function engineWithCache() {
  const cache = new Map<string, ProviderProbeResult>();
  const engine = new InferenceEngine({
    ...nodeEngineHost(ort),
    probe: async () => hardware,
    probeCache: { get: async (k) => cache.get(k), set: async (k, v) => void cache.set(k, v) },
  });
  return { engine, cache };
}

describe('InferenceEngine.chooseProviders', () => {
  it('measures on a hardware adapter, caches the result, and a WebGPU that cannot run loses', async () => {
    ort.env.wasm.numThreads = 1;
    const { engine, cache } = engineWithCache();
    const replies: Reply[] = [];
    // ORT's Node build has no WebGPU backend: the probe's WebGPU run fails, as a broken GPU would.
    const first = await engine.chooseProviders(undefined, hardware, (r) => replies.push(r));
    expect(first.vision).toMatchObject({ provider: 'wasm', basis: 'measured' });
    expect(first.vision.timing!.webgpuMs).toBe(Infinity);
    expect(first.vision.timing!.wasmMs).toBeGreaterThan(0);
    expect(first.vision.timing!.wasmMs).toBeGreaterThan(first.decoder.timing!.wasmMs);
    expect(replies.some((r) => r.kind === 'progress' && /Measuring WebGPU against wasm/.test(r.message))).toBe(true);
    expect(cache.size).toBe(1);
    const [key] = [...cache.keys()];
    expect(key).toMatch(/nvidia\/hopper/);
  }, 60_000);

  it('a cached result is used without measuring again', async () => {
    const { engine, cache } = engineWithCache();
    const key = `provider-probe-v1|ort ${ort.env.versions.web}|nvidia/hopper//|2 cores|threads false`;
    cache.set(key, { vision: { webgpuMs: 1, wasmMs: 50 }, decoder: { webgpuMs: 3, wasmMs: 2 } });
    const replies: Reply[] = [];
    const c = await engine.chooseProviders(undefined, hardware, (r) => replies.push(r));
    expect(c.vision).toMatchObject({ provider: 'webgpu', basis: 'measured' });
    expect(c.decoder).toMatchObject({ provider: 'wasm', basis: 'measured' });
    expect(replies).toEqual([]);
  });

  it('a forced provider skips the probe', async () => {
    const { engine, cache } = engineWithCache();
    expect((await engine.chooseProviders('wasm', hardware)).vision.basis).toBe('forced');
    expect(cache.size).toBe(0);
  });
});
