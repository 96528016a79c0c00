import type { ProviderChoices } from '../capabilities/choose-provider';
import type { CapabilityReport } from '../capabilities/types';
import type { OrtThreads } from '../encode/ort-env';
import type { Budget, StopReason } from '../generate/chat-session';
import type { PresetId } from '../generate/prompt';
import type { FileProgress } from '../model/artifacts';
import type { SelfCheckResult } from '../selfcheck/run';
import type { SerializedError } from './errors';

/** The one typed protocol between the UI and the inference worker. */
export type ExecutionProvider = 'webgpu' | 'wasm';

export interface LoadOptions {
  manifestUrl: string;
  /** Force a provider for both ONNX stages (tests, and users on flaky GPUs). */
  executionProvider?: ExecutionProvider;
  /** Prefer a decoder backend; by default WebLLM when the model has a compiled library. */
  decoderBackend?: 'webllm' | 'onnx';
  /** Run every stage once after loading (default true); benchmarks turn it off to time a cold start. */
  warmUp?: boolean;
}

/** The question whose prompt is prefilled as soon as an image is encoded. */
export interface PrimeRequest {
  preset: PresetId;
  question?: string;
}

export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface GenerateOptions {
  preset: PresetId;
  question?: string;
  /**
   * The last answer so far, as the reader left it: the model goes on from its end instead of
   * answering anything new (the report's Continue). The preset's turn is asked first only when the
   * conversation has none.
   */
  resume?: string;
  temperature: number;
  topP: number;
  maxNewTokens?: number;
  seed?: number;
}

/** A finished exchange, sent to continue a restored conversation. */
export interface HistoryTurn {
  preset: PresetId;
  question?: string;
  answer: string;
}

export type Request =
  | { kind: 'check' }
  | { kind: 'load'; options: LoadOptions }
  | { kind: 'encode'; image: GrayImage; history?: HistoryTurn[]; prime?: PrimeRequest }
  | { kind: 'generate'; options: GenerateOptions }
  /** Runs the sample radiograph (decoded by the UI) against the model's selfcheck.json. */
  | { kind: 'selfcheck'; image: GrayImage; sampleSha256: string }
  | { kind: 'interrupt' }
  | { kind: 'reset' }
  | { kind: 'dispose' }
  /** Test hook: destroys the WebGPU device, as a driver reset or a GPU hang would. */
  | { kind: 'debug-destroy-device' };

export interface LoadedInfo {
  modelId: string;
  modelName: string;
  randomWeights: boolean;
  backend: string;
  visionProvider: ExecutionProvider;
  /** Each ONNX stage's provider and why it was chosen. */
  providers: ProviderChoices;
  visionDtype: 'fp32' | 'fp16';
  loadMs: number;
  /** Of loadMs, the warm-up run of every stage. */
  warmupMs: number;
  /** ORT's wasm threads in the browser, and why there is one where there is (encode/ort-env.ts). */
  wasmThreads?: OrtThreads;
}

export interface EncodedInfo {
  preprocessMs: number;
  encodeMs: number;
  /** Prefill of the primed prompt, when one was asked for. */
  primeMs?: number;
  primeTokens?: number;
}

export interface CompleteInfo {
  text: string;
  tokenIds: number[];
  reason: StopReason;
  promptTokens: number;
  reusedTokens: number;
  prefillMs: number;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
}

export type Reply =
  | { kind: 'checked'; caps: CapabilityReport }
  | { kind: 'progress'; stage: 'download' | 'compile' | 'warmup'; file?: FileProgress; step?: number; steps?: number; message: string }
  | { kind: 'ready'; info: LoadedInfo }
  | { kind: 'encoded'; info: EncodedInfo }
  | { kind: 'prefill'; promptTokens: number; reusedTokens: number; prefillMs: number; budget?: Budget }
  | { kind: 'delta'; text: string; tokens: number; tokensPerSecond: number; timeToFirstTokenMs: number }
  | { kind: 'complete'; info: CompleteInfo }
  /** null: the model folder has no selfcheck.json. */
  | { kind: 'selfchecked'; result: SelfCheckResult | null }
  | { kind: 'done' }
  | { kind: 'error'; error: SerializedError }
  /** Unsolicited (request id 0): the GPU device is gone; the worker must be replaced. */
  | { kind: 'device-lost'; message: string };

export interface RequestEnvelope {
  id: number;
  request: Request;
}

export interface ReplyEnvelope {
  id: number;
  reply: Reply;
}
