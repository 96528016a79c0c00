// Messages between the bench driver (Node, through playwright), the bench page and its worker.
import type { PreprocessSpec } from '../../preprocess/preprocess';
import type { DropToFirstTokenResult, PipelineBenchResult, PipelineStageOptions } from '../pipeline-core';
import type { AdapterReport, OrtConfig, VisionModelMeta, VisionProgress, VisionTiming } from '../vision/vision-core';

/** Files the driver serves to the page from outside the build (models, images, tensors). */
export const BENCH_FILES_PREFIX = '/__bench/';

/**
 * Which ORT build a request runs on: the app's ('app': onnxruntime-web/webgpu, ORT's native WebGPU
 * EP and its CPU EP) or the JSEP build the app used before ('jsep', onnxruntime-web's default
 * entry), whose runtime files the driver serves under JSEP_FILES_DIR for the comparison.
 */
export type OrtBuildChoice = 'app' | 'jsep';
export const JSEP_FILES_DIR = 'ort-jsep/';
export const JSEP_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];

export interface BrowserEnvInfo {
  userAgent: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  /** Why there is no adapter, when there is none. */
  webgpu: string;
}

export type BenchRequest =
  | { kind: 'info' }
  | { kind: 'preprocess'; url: string; width: number; height: number; spec: PreprocessSpec; runs: number; warmup: number }
  | { kind: 'pipeline'; manifestUrl: string; imageUrl: string; ep: 'wasm' | 'webgpu'; options: PipelineStageOptions }
  /** Drop -> first token alone (pipeline-core.ts), for a series of cold starts; maxWarmUpRounds 1 = one warm-up round. */
  | { kind: 'drop'; manifestUrl: string; imageUrl: string; ep: 'wasm' | 'webgpu'; images: number; temperature: number; maxWarmUpRounds?: number; ortBuild?: OrtBuildChoice }
  | {
      kind: 'vision';
      modelUrl: string;
      inputUrl: string;
      refUrl: string;
      meta: Pick<VisionModelMeta, 'inputName' | 'outputName' | 'inputShape'>;
      config: OrtConfig;
    };

export interface PreprocessTiming {
  runsMs: number[];
  /** Which resize passes the page ran ('wasm-simd' where Chromium has WebAssembly SIMD). */
  passes: string;
  /** The 8-bit 512x512 crop, base64, to compare with PIL's. */
  cropBase64: string;
}

export interface VisionBrowserTiming extends VisionTiming {
  runtime: string;
  wasmThreads: number;
  modelBytes: number;
  readMs: number;
}

export interface BenchResults {
  info: { env: BrowserEnvInfo; adapter: AdapterReport | null };
  preprocess: PreprocessTiming;
  pipeline: PipelineBenchResult;
  drop: DropToFirstTokenResult;
  vision: VisionBrowserTiming;
}

export type BenchProgress = VisionProgress | { stage: 'log'; message: string };

export type WorkerReply = { kind: 'progress'; progress: BenchProgress } | { kind: 'result'; value: unknown } | { kind: 'error'; message: string };

/** What the bench page puts on `window` for the driver. */
export interface BenchPageApi {
  run<K extends BenchRequest['kind']>(request: Extract<BenchRequest, { kind: K }>): Promise<BenchResults[K]>;
}
