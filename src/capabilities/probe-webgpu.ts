import type { NoWebGpu, WebGpuInfo } from './types';
import { withTimeout } from './gpu-request-bounds';

/** How long the adapter request may take, and when a null answer is asked again. */
export interface AdapterRequestTiming {
  timeoutMs: number;
  retryAfterMs: number;
}

const ADAPTER_TIMING: AdapterRequestTiming = { timeoutMs: 15_000, retryAfterMs: 300 };

/**
 * Asks a WebGPU implementation (the browser's `navigator.gpu`, or Dawn's in Node) for an adapter
 * and reads what matters for running the models. Never throws: a missing adapter is a report.
 */
export async function probeWebGpu(gpu: GPU | undefined | null, timing: AdapterRequestTiming = ADAPTER_TIMING): Promise<WebGpuInfo | NoWebGpu> {
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
    adapter = await requestAdapter(gpu, timing);
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

/**
 * The spec lets requestAdapter wait as long as the browser likes, and browser bugs have left it
 * (and requestDevice) pending for good: without a bound the device check and the model load would
 * wait forever with nothing on screen. A null asked for right as the page starts can also be a
 * race with the GPU process starting (not seen here; kizuna-ai-lab/sokuji#515 measured it in
 * Electron on Windows: null at 0-50 ms, an adapter from 100 ms on), so a null is asked again once
 * before it is believed.
 */
async function requestAdapter(gpu: GPU, timing: AdapterRequestTiming): Promise<GPUAdapter | null> {
  const ask = () =>
    withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timing.timeoutMs, `no answer in ${timing.timeoutMs / 1000} s (restart the browser; if it persists, check chrome://gpu)`);
  const first = await ask();
  if (first) return first;
  await new Promise((resolve) => setTimeout(resolve, timing.retryAfterMs));
  return ask();
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
