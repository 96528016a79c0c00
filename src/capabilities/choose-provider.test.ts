import { describe, expect, it } from 'vitest';
import { chooseProviders, isSoftwareAdapter, needsProbe, probeCacheKey } from './choose-provider';
import { testCaps, testGpu } from './test-fixtures';
import type { CapabilityReport } from './types';

const gpu = testGpu;
const caps = (webgpu: CapabilityReport['webgpu']) => testCaps(webgpu);
const swiftshader = gpu({ vendor: 'google', architecture: 'swiftshader', shaderF16: false });
const probe = { vision: { webgpuMs: 2, wasmMs: 40 }, decoder: { webgpuMs: 0.9, wasmMs: 0.4 } };

describe('isSoftwareAdapter', () => {
  it('knows CPU adapters by flag or by name, and not real GPUs', () => {
    expect(isSoftwareAdapter(gpu({ isFallbackAdapter: true }))).toBe(true);
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter(gpu({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isSoftwareAdapter(gpu({ description: 'Microsoft Basic Render Driver' }))).toBe(true);
    expect(isSoftwareAdapter(gpu())).toBe(false);
    expect(isSoftwareAdapter(gpu({ vendor: 'apple', architecture: 'metal-3' }))).toBe(false);
  });
});

describe('chooseProviders', () => {
  it('never picks a software adapter on its own, even when a probe says it is faster', () => {
    const c = chooseProviders(caps(swiftshader), undefined, { vision: { webgpuMs: 1, wasmMs: 100 }, decoder: { webgpuMs: 1, wasmMs: 100 } });
    expect(c.vision).toMatchObject({ provider: 'wasm', basis: 'software-adapter' });
    expect(c.decoder.provider).toBe('wasm');
    expect(c.vision.reason).toMatch(/software.*swiftshader.*wasm chosen/);
    expect(needsProbe(caps(swiftshader), undefined)).toBe(false);
  });

  it('uses wasm without WebGPU', () => {
    const c = chooseProviders(caps({ available: false, reason: 'none' }), undefined, null);
    expect(c.vision).toMatchObject({ provider: 'wasm', basis: 'no-webgpu' });
  });

  it('takes the measured faster provider per stage on a hardware adapter', () => {
    expect(needsProbe(caps(gpu()), undefined)).toBe(true);
    const c = chooseProviders(caps(gpu()), undefined, probe);
    expect(c.vision).toMatchObject({ provider: 'webgpu', basis: 'measured', timing: probe.vision });
    expect(c.decoder).toMatchObject({ provider: 'wasm', basis: 'measured' });
    expect(c.vision.reason).toBe('Measured on this device (encode-sized probe): WebGPU 2.0 ms, wasm 40.0 ms; webgpu is faster.');
    // A tie goes to WebGPU (it leaves the CPU to the page); a failed WebGPU run never wins.
    expect(chooseProviders(caps(gpu()), undefined, { vision: { webgpuMs: 5, wasmMs: 5 }, decoder: probe.decoder }).vision.provider).toBe('webgpu');
    const broken = chooseProviders(caps(gpu()), undefined, { vision: { webgpuMs: Infinity, wasmMs: 40 }, decoder: probe.decoder });
    expect(broken.vision.provider).toBe('wasm');
    expect(broken.vision.reason).toMatch(/WebGPU failed/);
  });

  it('falls back to WebGPU on a hardware adapter when nothing was measured', () => {
    expect(chooseProviders(caps(gpu()), undefined, null).vision).toMatchObject({ provider: 'webgpu', basis: 'unmeasured' });
  });

  it('lets the user force either provider, software adapter or not', () => {
    expect(chooseProviders(caps(swiftshader), 'webgpu', null).vision).toMatchObject({ provider: 'webgpu', basis: 'forced' });
    expect(chooseProviders(caps(gpu()), 'wasm', probe).decoder).toMatchObject({ provider: 'wasm', basis: 'forced' });
    expect(needsProbe(caps(gpu()), 'wasm')).toBe(false);
    expect(() => chooseProviders(caps({ available: false, reason: 'no adapter' }), 'webgpu', null)).toThrow(/no adapter/);
  });
});

describe('probeCacheKey', () => {
  it('differs by adapter, cores and runtime version', () => {
    const k = probeCacheKey(caps(gpu()), 'ort 1.30.0');
    expect(probeCacheKey(caps(gpu()), 'ort 1.30.0')).toBe(k);
    expect(probeCacheKey(caps(gpu({ architecture: 'ada' })), 'ort 1.30.0')).not.toBe(k);
    expect(probeCacheKey(caps(gpu()), 'ort 1.31.0')).not.toBe(k);
    expect(probeCacheKey({ ...caps(gpu()), logicalCores: 4 }, 'ort 1.30.0')).not.toBe(k);
  });
});
