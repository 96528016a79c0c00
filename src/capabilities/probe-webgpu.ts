import type { NoWebGpu, WebGpuInfo } from './types';

/**
 * Asks a WebGPU implementation (the browser's `navigator.gpu`, or Dawn's in Node) for an adapter
 * and reads what matters for running the models. Never throws: a missing adapter is a report.
 */
export async function probeWebGpu(gpu: GPU | undefined | null): Promise<WebGpuInfo | NoWebGpu> {
  if (!gpu) {
    return {
      available: false,
      reason:
        'This browser exposes no WebGPU (navigator.gpu is missing). Use a current Chrome or Edge ' +
        'on a secure (https or localhost) page.',
    };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { available: false, reason: `The GPU adapter request failed: ${errorText(err)}` };
  }
  if (!adapter) {
    return {
      available: false,
      reason:
        'WebGPU is present but no GPU adapter was granted (GPU blocklisted, disabled, or no driver). ' +
        'Check chrome://gpu.',
    };
  }
  const info = adapter.info;
  const limits = adapter.limits;
  const features = [...adapter.features].map(String).sort();
  return {
    available: true,
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    // `isFallbackAdapter` moved from the adapter to its info; read whichever the host has.
    isFallbackAdapter: Boolean(
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter ??
        (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter,
    ),
    shaderF16: adapter.features.has('shader-f16'),
    features,
    maxBufferSize: limits.maxBufferSize,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
  };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
