import { probeWebGpu } from './probe-webgpu';
import type { CapabilityReport, StorageInfo } from './types';

/** Capability report for the page or worker this runs in. */
export async function probeBrowser(): Promise<CapabilityReport> {
  const isolated = globalThis.crossOriginIsolated === true;
  return {
    host: 'browser',
    userAgent: navigator.userAgent,
    webgpu: await probeWebGpu(navigator.gpu),
    wasmThreads: isolated && typeof SharedArrayBuffer !== 'undefined',
    crossOriginIsolated: isolated,
    logicalCores: navigator.hardwareConcurrency ?? 1,
    storage: await probeStorage(),
  };
}

async function probeStorage(): Promise<StorageInfo | null> {
  const storage = navigator.storage;
  if (!storage?.estimate) return null;
  try {
    const estimate = await storage.estimate();
    const persisted = storage.persisted ? await storage.persisted() : null;
    return { quotaBytes: estimate.quota ?? 0, usageBytes: estimate.usage ?? 0, persisted };
  } catch {
    return null;
  }
}
