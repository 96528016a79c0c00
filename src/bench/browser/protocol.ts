// Messages between the bench driver (Node, through playwright), the bench page and its worker.
import type { PreprocessSpec } from '../../preprocess/preprocess';
import type { DropToFirstTokenResult, PipelineBenchResult, PipelineStageOptions } from '../pipeline-core';
import type { AdapterReport, OrtConfig, VisionModelMeta, VisionProgress, VisionTiming } from '../vision/vision-core';

/** Files the driver serves to the page from outside the build (models, images, tensors). */
export const BENCH_FILES_PREFIX = '/__bench/';

/**
 * Which ORT build a request runs on: the app's ('app': what the app's worker loads in this
 * browser, encode/ort-env.ts: the JSPI build in Chromium) or, for comparison, another of
 * onnxruntime-web's builds, whose runtime files the driver serves under comparedBuildDir(build):
 * - 'asyncify': the native WebGPU EP with asyncify (onnxruntime-web/webgpu): the app's fallback
 *   for browsers without JSPI, and its build in Chromium before 2026-12-06 afternoon;
 * - 'jsep': the JSEP build the app used before that (onnxruntime-web's default entry);
 * - 'wasm': the CPU EP alone, without asyncify (onnxruntime-web/wasm; no WebGPU).
 */
export type OrtBuildChoice = 'app' | ComparedBuild;
export const COMPARED_BUILDS = ['asyncify', 'jsep', 'wasm'] as const;
export type ComparedBuild = (typeof COMPARED_BUILDS)[number];
export const comparedBuildDir = (build: ComparedBuild) => `ort-${build}/`;
/** The build's loader and wasm binary, as named in onnxruntime-web/dist. */
export function comparedBuildFiles(build: ComparedBuild): [mjs: string, wasm: string] {
  const stem = build === 'wasm' ? 'ort-wasm-simd-threaded' : `ort-wasm-simd-threaded.${build}`;
  return [`${stem}.mjs`, `${stem}.wasm`];
}

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
