import { describe, expect, it } from 'vitest';
import { formatReport } from './format';
import { chooseProviders } from './choose-provider';
import { planStages } from './plan';
import { testCaps, testGpu } from './test-fixtures';
import type { CapabilityReport } from './types';

const gpu = testGpu;
const caps = (webgpu: CapabilityReport['webgpu']) => testCaps(webgpu, { host: 'node', userAgent: 'node' });

const runtimeOf = (c: CapabilityReport, stage: string) => planStages(c).find((p) => p.stage === stage)?.runtime;

describe('planStages', () => {
  it('uses fp16 vision and q4f16_1 when the adapter has shader-f16', () => {
    const c = caps(gpu({}));
    expect(runtimeOf(c, 'vision')).toBe('ort-webgpu-fp16');
    expect(runtimeOf(c, 'decoder')).toBe('webllm-q4f16_1');
  });

  it('falls back to fp32 vision and q4f32_1 without shader-f16, and says why', () => {
    const c = caps(gpu({ shaderF16: false, features: [] }));
    expect(runtimeOf(c, 'vision')).toBe('ort-webgpu-fp32');
    expect(runtimeOf(c, 'decoder')).toBe('webllm-q4f32_1');
    expect(planStages(c).find((p) => p.stage === 'decoder')?.note).toMatch(/shader-f16/);
  });

  it('without WebGPU keeps viewing and the wasm encoder, and says the 7B decoder cannot run', () => {
    const c = caps({ available: false, reason: 'no adapter' });
    expect(runtimeOf(c, 'vision')).toBe('ort-wasm');
    expect(runtimeOf(c, 'decoder')).toBe('unavailable');
    const text = formatReport(c, planStages(c));
    expect(text).toMatch(/webgpu: no — no adapter/);
    expect(text).toMatch(/7B language model cannot run/);
  });

  it('warns that a software adapter is too slow for the 7B model, and runs the ONNX stages on wasm', () => {
    const c = caps(gpu({ isFallbackAdapter: true, shaderF16: false, vendor: 'google', architecture: 'swiftshader' }));
    const text = formatReport(c, planStages(c));
    expect(text).toMatch(/fallback \(software\) adapter/);
    expect(text).toMatch(/far too slow/);
    expect(runtimeOf(c, 'vision')).toBe('ort-wasm');
    expect(planStages(c).find((p) => p.stage === 'vision')?.note).toMatch(/software one.*wasm chosen/);
    expect(text).toMatch(/ONNX decoder \(the demo model\) runs on wasm/);
  });

  it('SwiftShader not flagged as a fallback adapter (Dawn, --enable-unsafe-webgpu) is still software', () => {
    const c = caps(gpu({ shaderF16: false, vendor: 'google', architecture: 'swiftshader' }));
    expect(runtimeOf(c, 'vision')).toBe('ort-wasm');
  });

  it('shows a measured choice with its numbers', () => {
    const c = caps(gpu({}));
    const plan = planStages(c, chooseProviders(c, undefined, { vision: { webgpuMs: 3, wasmMs: 90 }, decoder: { webgpuMs: 1, wasmMs: 2 } }));
    expect(plan.find((p) => p.stage === 'vision')).toMatchObject({ runtime: 'ort-webgpu-fp16' });
    expect(plan.find((p) => p.stage === 'vision')?.note).toMatch(/WebGPU 3\.0 ms, wasm 90\.0 ms; webgpu is faster/);
  });
});
