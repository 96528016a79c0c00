import { describe, expect, it } from 'vitest';
import { boundGpuRequests } from './gpu-request-bounds';

/** Stand-ins for the browser's GPU and GPUAdapter classes: each instance answers as told. */
function fakeScope() {
  class GPU {
    constructor(readonly answer: () => Promise<unknown>) {}
    requestAdapter(): Promise<unknown> {
      return this.answer();
    }
  }
  class GPUAdapter {
    constructor(readonly answer: () => Promise<unknown>) {}
    requestDevice(): Promise<unknown> {
      return this.answer();
    }
  }
  return { GPU, GPUAdapter };
}

const bounds = { adapterMs: 40, deviceMs: 60 };

function later<T>(value: T, ms: number): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

describe('boundGpuRequests', () => {
  it('answers as the browser does when it answers in time, for the same object', async () => {
    const scope = fakeScope();
    boundGpuRequests(scope as never, bounds);
    const device = { destroy: () => {} };
    const adapter = new scope.GPUAdapter(() => later(device, 5));
    expect(await adapter.requestDevice()).toBe(device);
    const gpu = new scope.GPU(() => later(adapter, 5));
    expect(await gpu.requestAdapter()).toBe(adapter);
    expect(await new scope.GPU(() => Promise.resolve(null)).requestAdapter()).toBeNull();
  });

  it('fails a device request that never answers, with what to do', async () => {
    const scope = fakeScope();
    boundGpuRequests(scope as never, bounds);
    const t0 = performance.now();
    await expect(new scope.GPUAdapter(() => new Promise(() => {})).requestDevice()).rejects.toThrow(
      'The browser did not answer a WebGPU request for a device in 0.06 s. Restart the browser; if it happens again, check chrome://gpu, or choose wasm in Settings.',
    );
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('fails an adapter request that never answers', async () => {
    const scope = fakeScope();
    boundGpuRequests(scope as never, bounds);
    await expect(new scope.GPU(() => new Promise(() => {})).requestAdapter()).rejects.toThrow(/WebGPU request for an adapter in 0.04 s/);
  });

  it('destroys a device that arrives after its request gave up', async () => {
    const scope = fakeScope();
    boundGpuRequests(scope as never, bounds);
    let destroyed = 0;
    const request = new scope.GPUAdapter(() => later({ destroy: () => destroyed++ }, 120)).requestDevice();
    await expect(request).rejects.toThrow(/did not answer/);
    expect(destroyed).toBe(0);
    await later(null, 100);
    expect(destroyed).toBe(1);
  });

  it('passes a refusal on as it is', async () => {
    const scope = fakeScope();
    boundGpuRequests(scope as never, bounds);
    await expect(new scope.GPUAdapter(() => Promise.reject(new Error('OperationError: limits'))).requestDevice()).rejects.toThrow('OperationError: limits');
  });

  it('wraps once, however often it is called, and does nothing without WebGPU', () => {
    const scope = fakeScope();
    boundGpuRequests(scope as never, bounds);
    const wrapped = [scope.GPU.prototype.requestAdapter, scope.GPUAdapter.prototype.requestDevice];
    boundGpuRequests(scope as never, bounds);
    expect([scope.GPU.prototype.requestAdapter, scope.GPUAdapter.prototype.requestDevice]).toEqual(wrapped);
    expect(() => boundGpuRequests({} as never, bounds)).not.toThrow();
  });
});
