/** What one WebGPU adapter offers, as far as this app cares. */
export interface WebGpuInfo {
  available: true;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  shaderF16: boolean;
  features: string[];
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
}

export interface NoWebGpu {
  available: false;
  /** Why there is none, in words a user can act on. */
  reason: string;
}

export interface StorageInfo {
  quotaBytes: number;
  usageBytes: number;
  persisted: boolean | null;
}

export interface CapabilityReport {
  host: 'browser' | 'node';
  userAgent: string;
  webgpu: WebGpuInfo | NoWebGpu;
  /** ORT's wasm backend can use threads only with SharedArrayBuffer (cross-origin isolation). */
  wasmThreads: boolean;
  crossOriginIsolated: boolean;
  logicalCores: number;
  /** null where the host has no Storage API (Node). */
  storage: StorageInfo | null;
}

export type Runtime =
  | 'cpu'
  | 'ort-webgpu-fp16'
  | 'ort-webgpu-fp32'
  | 'ort-wasm'
  | 'webllm-q4f16_1'
  | 'webllm-q4f32_1'
  | 'unavailable';

export type Stage = 'decode' | 'preprocess' | 'vision' | 'decoder';

export interface StagePlan {
  stage: Stage;
  runtime: Runtime;
  /** One sentence saying why this runtime was chosen, or what is missing. */
  note: string;
}
