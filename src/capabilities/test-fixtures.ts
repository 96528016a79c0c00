import type { CapabilityReport, WebGpuInfo } from './types';

/** An H100/H200-like adapter report for tests; `over` changes what a test is about. */
export function testGpu(over: Partial<WebGpuInfo> = {}): WebGpuInfo {
  return {
    available: true,
    vendor: 'nvidia',
    architecture: 'hopper',
    device: '',
    description: '',
    isFallbackAdapter: false,
    shaderF16: true,
    features: ['shader-f16'],
    maxBufferSize: 2 ** 40,
    maxStorageBufferBindingSize: 2 ** 31,
    maxComputeWorkgroupStorageSize: 32768,
    maxComputeInvocationsPerWorkgroup: 1024,
    ...over,
  };
}

/** A capability report around `webgpu` for tests (8 cores, threads, isolated; `over` for the rest). */
export function testCaps(webgpu: CapabilityReport['webgpu'], over: Partial<CapabilityReport> = {}): CapabilityReport {
  return { host: 'browser', userAgent: 'test', webgpu, wasmThreads: true, crossOriginIsolated: true, logicalCores: 8, storage: null, ...over };
}
