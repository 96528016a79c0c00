import type * as Ort from 'onnxruntime-web';
import type { ProviderProbeResult } from '../capabilities/choose-provider';
import type { CapabilityReport } from '../capabilities/types';
import type { OrtThreads } from '../encode/ort-env';
import type { WebTokenizerClass } from '../generate/tokenizer';
import type { Reply } from './protocol';

/** What differs between the browser worker and Node: everything else is shared. */
export interface EngineHost {
  ort: typeof Ort;
  /** Which of ORT's browser builds `ort` is (encode/ort-env.ts); unset in Node. */
  ortBuild?: string;
  /** ORT's wasm thread pool as the host configured it (encode/ort-env.ts); unset in Node. */
  ortThreads?: OrtThreads;
  loadTokenizers(): Promise<WebTokenizerClass>;
  probe(): Promise<CapabilityReport>;
  fetchFn: typeof fetch;
  now(): number;
  /** Told once when the WebGPU device is lost (the engine is then unusable). */
  onDeviceLost?(message: string): void;
  /** Storage quota and usage, where the host has a Storage API (browsers). */
  storageEstimate?(): Promise<{ quota: number; usage: number }>;
  /** Keeps provider-probe results per device and runtime version (IndexedDB in browsers). */
  probeCache?: {
    get(key: string): Promise<ProviderProbeResult | undefined>;
    set(key: string, value: ProviderProbeResult): Promise<void>;
  };
}

export type Emit = (reply: Reply) => void;
