import { version as installedWebLlmVersion } from '@mlc-ai/web-llm/package.json';
import { WebLlmInternalsError } from '../../../worker/errors';

/**
 * WebLLM has no public API for precomputed embeddings, so the backend drives the loaded pipeline's
 * own functions. Every name below is private to @mlc-ai/web-llm (or to the tvmjs runtime it
 * bundles) and changed between 0.2.84 and 0.2.86: the version is pinned exactly, and each name is
 * checked at start-up so that a different build fails with a clear message instead of a GPU crash.
 * internals.test.ts checks the same names against the installed package's lib/index.js.
 */
export const PINNED_WEBLLM_VERSION = '0.2.86';
export { installedWebLlmVersion };

/** Methods of `MLCEngine` (public, but their semantics matter) and its private pipeline map. */
export const ENGINE_METHODS = { reload: 2, unload: 0 } as const;
export const ENGINE_PIPELINE_MAP = 'loadedModelIdToPipeline';

/** LLMChatPipeline fields (all TS-private): objects, packed functions, numbers. */
export const PIPELINE_OBJECTS = ['tvm', 'device', 'params', 'kvCache', 'resolvedModelABI'] as const;
/** VM functions as the pipeline keeps them: `decoding` is the VM function "decode". */
export const PIPELINE_FUNCTIONS = ['embed', 'prefill', 'decoding'] as const;
export const PIPELINE_NUMBERS = ['prefillChunkSize'] as const;
/** Only this ABI is driven: prefill(embeds, kv, params) / decode(embeds, kv, params). */
export const EXPECTED_ABI = { kvStateKind: 'kv_cache', prefillABI: 'single', decodeABI: 'single', needsKVCache: true, needsRNNState: false } as const;

/** tvmjs Instance methods with their Function.length (parameters before the first default). */
export const TVM_METHODS = {
  beginScope: 0,
  endScope: 0,
  detachFromCurrentScope: 1,
  empty: 1,
  cpu: 0,
  concatEmbeddings: 1,
  makeShapeTuple: 1,
  getGlobalFunc: 1,
  scalar: 2,
} as const;
/** tvmjs Tensor methods (probed on a 1-element CPU tensor). */
export const TENSOR_METHODS = { copyFrom: 1, copyFromRawBytes: 1, view: 2, toRawBytes: 0, dispose: 0 } as const;
export const DEVICE_METHODS = { sync: 0 } as const;
/** Global functions registered by the TVM runtime inside the model lib. */
export const KV_GLOBAL_FUNCS = {
  beginForward: 'vm.builtin.kv_state_begin_forward',
  endForward: 'vm.builtin.kv_state_end_forward',
  clear: 'vm.builtin.kv_state_clear',
  addSequence: 'vm.builtin.kv_state_add_sequence',
} as const;
/** What tvm.concatEmbeddings calls (tvmjs 0.2.86 already requires it at instantiate; re-checked in case that changes). */
export const CONCAT_GLOBAL_FUNC = 'tvmjs.runtime.ConcatEmbeddings';
/** TVM's KVState.PopN(seq_id, n). WebLLM's JS never calls it; without it trimming re-prefills. */
export const KV_POPN = 'vm.builtin.kv_state_popn';

// ---- Types of what the backend touches (tvmjs is untyped from web-llm's public .d.ts). ----

export interface TvmObject {
  dispose(): void;
}
export interface TvmTensor extends TvmObject {
  readonly shape: number[];
  readonly dtype: string;
  view(shape: number[], dtype?: string): TvmTensor;
  copyFrom(data: TvmTensor | ArrayLike<number>): TvmTensor;
  copyFromRawBytes(data: Uint8Array): TvmTensor;
  toRawBytes(): Uint8Array;
}
/** What a VM function returns: prefill/decode give [logits, kv]. */
export interface TvmArray extends TvmObject {
  get(index: number): TvmTensor;
}
export type PackedFunc = ((...args: unknown[]) => unknown) & Partial<TvmObject>;
export interface TvmDevice {
  sync(): Promise<void>;
}
export interface TvmInstance {
  beginScope(): void;
  endScope(): void;
  detachFromCurrentScope<T>(obj: T): T;
  empty(shape: number[], dtype: string, device: TvmDevice): TvmTensor;
  cpu(): TvmDevice;
  concatEmbeddings(parts: TvmTensor[]): TvmTensor;
  makeShapeTuple(shape: number[]): TvmObject;
  getGlobalFunc(name: string): PackedFunc;
  scalar(value: number, dtype: string): unknown;
}
export interface WebLlmPipeline {
  tvm: TvmInstance;
  device: TvmDevice;
  params: TvmObject;
  kvCache: TvmObject;
  embed: PackedFunc;
  prefill: PackedFunc;
  decoding: PackedFunc;
  prefillChunkSize: number;
  resolvedModelABI: Record<string, unknown>;
}
export interface WebLlmEngine {
  reload(modelId: string): Promise<void>;
  unload(): Promise<void>;
  loadedModelIdToPipeline: Map<string, unknown>;
}

/** Start-up check: the bundled package is the one whose internals were read. */
export function assertPinnedWebLlmVersion(installed: string = installedWebLlmVersion): void {
  if (installed !== PINNED_WEBLLM_VERSION) {
    throw new WebLlmInternalsError(
      `The webllm backend drives private functions of @mlc-ai/web-llm ${PINNED_WEBLLM_VERSION} and must be built with exactly that version; ` +
        `${installed} is installed. Install @mlc-ai/web-llm@${PINNED_WEBLLM_VERSION} (npm install --save-exact), or re-check every name in internals.ts.`,
      'webllm-version',
    );
  }
}

type Bag = Record<string, unknown>;
const isObj = (v: unknown): v is Bag => typeof v === 'object' && v !== null;

function checkMethods(owner: unknown, label: string, methods: Record<string, number>, problems: string[]): void {
  for (const [name, arity] of Object.entries(methods)) {
    const fn = isObj(owner) ? owner[name] : undefined;
    if (typeof fn !== 'function') problems.push(`${label}.${name}() is missing`);
    else if (fn.length !== arity) problems.push(`${label}.${name}() takes ${fn.length} parameters, expected ${arity}`);
  }
}

/**
 * Verifies every private name the backend uses on the loaded engine and pipeline, and returns the
 * pipeline typed. Throws one WebLlmInternalsError listing everything that is missing or changed.
 */
export function checkWebLlmInternals(engine: unknown, pipeline: unknown): WebLlmPipeline {
  const problems: string[] = [];
  checkMethods(engine, 'engine', ENGINE_METHODS, problems);
  if (!isObj(engine) || !(engine[ENGINE_PIPELINE_MAP] instanceof Map)) problems.push(`engine.${ENGINE_PIPELINE_MAP} (Map) is missing`);
  if (!isObj(pipeline)) {
    problems.push('the loaded pipeline is missing');
  } else {
    for (const name of PIPELINE_OBJECTS) if (!isObj(pipeline[name])) problems.push(`pipeline.${name} is missing`);
    for (const name of PIPELINE_FUNCTIONS) if (typeof pipeline[name] !== 'function') problems.push(`pipeline.${name} (VM function) is missing`);
    for (const name of PIPELINE_NUMBERS) {
      const v = pipeline[name];
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) problems.push(`pipeline.${name} is not a positive integer`);
    }
    const abi = pipeline.resolvedModelABI;
    if (isObj(abi)) {
      for (const [key, want] of Object.entries(EXPECTED_ABI)) {
        if (abi[key] !== want) problems.push(`pipeline.resolvedModelABI.${key} is ${JSON.stringify(abi[key])}, expected ${JSON.stringify(want)}`);
      }
    }
    checkMethods(pipeline.device, 'pipeline.device', DEVICE_METHODS, problems);
    checkMethods(pipeline.tvm, 'tvm', TVM_METHODS, problems);
    if (!problems.some((p) => p.startsWith('tvm.'))) checkRuntime(pipeline.tvm as TvmInstance, problems);
  }
  if (problems.length) {
    throw new WebLlmInternalsError(
      `The loaded WebLLM does not have the internals this app drives (written for @mlc-ai/web-llm ${PINNED_WEBLLM_VERSION}, ` +
        `built with ${installedWebLlmVersion}): ${problems.join('; ')}.`,
      'webllm-internals',
    );
  }
  return pipeline as unknown as WebLlmPipeline;
}

/** Global functions and Tensor methods can only be seen on the live runtime. */
function checkRuntime(tvm: TvmInstance, problems: string[]): void {
  tvm.beginScope();
  try {
    for (const name of [...Object.values(KV_GLOBAL_FUNCS), CONCAT_GLOBAL_FUNC]) {
      try {
        tvm.getGlobalFunc(name);
      } catch {
        problems.push(`global function ${name} is missing`);
      }
    }
    checkMethods(tvm.empty([1], 'float32', tvm.cpu()), 'Tensor', TENSOR_METHODS, problems);
  } finally {
    tvm.endScope();
  }
}
