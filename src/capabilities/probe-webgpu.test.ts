import { describe, expect, it } from 'vitest';
import { probeWebGpu } from './probe-webgpu';

const timing = { timeoutMs: 200, retryAfterMs: 20 };

function fakeAdapter(): GPUAdapter {
  return {
    info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'H100', isFallbackAdapter: false },
    limits: { maxBufferSize: 2 ** 34, maxStorageBufferBindingSize: 2 ** 31, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024 },
    features: new Set(['shader-f16']),
  } as unknown as GPUAdapter;
}

/** A navigator.gpu whose requestAdapter answers each call with the next of `answers`. */
function fakeGpu(answers: Array<() => Promise<GPUAdapter | null>>): { gpu: GPU; calls: () => number } {
  let n = 0;
  const gpu = { requestAdapter: () => answers[Math.min(n++, answers.length - 1)]!() } as unknown as GPU;
  return { gpu, calls: () => n };
}

describe('probeWebGpu', () => {
  it('reads the adapter it is given', async () => {
    const { gpu, calls } = fakeGpu([async () => fakeAdapter()]);
    const info = await probeWebGpu(gpu, timing);
    expect(info).toMatchObject({ available: true, vendor: 'nvidia', architecture: 'hopper', shaderF16: true, isFallbackAdapter: false, maxBufferSize: 2 ** 34 });
    expect(calls()).toBe(1);
  });

  it('asks once more when the first answer is null (a race with the GPU process starting)', async () => {
    const raced = fakeGpu([async () => null, async () => fakeAdapter()]);
    expect((await probeWebGpu(raced.gpu, timing)).available).toBe(true);
    expect(raced.calls()).toBe(2);
    const none = fakeGpu([async () => null]);
    const info = await probeWebGpu(none.gpu, timing);
    expect(info.available).toBe(false);
    expect(none.calls()).toBe(2);
    if (!info.available) expect(info.reason).toMatch(/no GPU adapter was granted/);
  });

  it('reports an adapter request that never answers instead of waiting for it', async () => {
    const { gpu } = fakeGpu([() => new Promise<never>(() => {})]);
    const info = await probeWebGpu(gpu, timing);
    expect(info.available).toBe(false);
    if (!info.available) expect(info.reason).toBe('The GPU adapter request failed: no answer in 0.2 s (restart the browser; if it persists, check chrome://gpu)');
  });

  it('reports a browser without navigator.gpu, and a request that throws', async () => {
    const missing = await probeWebGpu(undefined, timing);
    expect(missing.available).toBe(false);
    const { gpu } = fakeGpu([() => Promise.reject(new Error('GPU process crashed'))]);
    const info = await probeWebGpu(gpu, timing);
    if (info.available) throw new Error('expected no adapter');
    expect(info.reason).toBe('The GPU adapter request failed: GPU process crashed');
  });
});
