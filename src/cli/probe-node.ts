import { availableParallelism } from 'node:os';
import { probeWebGpu } from '../capabilities/probe-webgpu';
import type { CapabilityReport } from '../capabilities/types';
import { createNodeGpu } from './node-webgpu';

export async function probeNode(): Promise<CapabilityReport> {
  const { gpu, note } = await createNodeGpu();
  const webgpu = gpu
    ? await probeWebGpu(gpu)
    : { available: false as const, reason: `No WebGPU in Node: ${note}.` };
  return {
    host: 'node',
    userAgent: `node ${process.version}; ${note}`,
    webgpu,
    // Node always has SharedArrayBuffer, so ORT's wasm backend can use threads.
    wasmThreads: true,
    crossOriginIsolated: true,
    logicalCores: availableParallelism(),
    storage: null,
  };
}
