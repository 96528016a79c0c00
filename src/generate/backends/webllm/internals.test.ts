import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MLCEngine } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { WebLlmInternalsError } from '../../../worker/errors';
import { makeFake } from './fake-pipeline';
import {
  assertPinnedWebLlmVersion,
  checkWebLlmInternals,
  CONCAT_GLOBAL_FUNC,
  DEVICE_METHODS,
  ENGINE_METHODS,
  ENGINE_PIPELINE_MAP,
  EXPECTED_ABI,
  installedWebLlmVersion,
  KV_GLOBAL_FUNCS,
  KV_POPN,
  PINNED_WEBLLM_VERSION,
  PIPELINE_FUNCTIONS,
  PIPELINE_NUMBERS,
  PIPELINE_OBJECTS,
  TENSOR_METHODS,
  TVM_METHODS,
} from './internals';

/** The installed package's bundle: what the app really ships. An upgrade that renames fails here. */
const require = createRequire(import.meta.url);
const libJs = readFileSync(path.join(path.dirname(require.resolve('@mlc-ai/web-llm/package.json')), 'lib/index.js'), 'utf8');

/** Source of one class, from its declaration to the next class at the same indentation. */
function classBody(decl: string): string {
  const start = libJs.indexOf(decl);
  expect(start, decl).toBeGreaterThanOrEqual(0);
  const indent = libJs.slice(libJs.lastIndexOf('\n', start) + 1, start);
  const end = libJs.indexOf(`\n${indent}class `, start + decl.length);
  return libJs.slice(start, end < 0 ? undefined : end);
}

/** Function.length of a method as written in the source: parameters before the first default. */
function sourceArity(body: string, method: string): number | undefined {
  // Greedy to the line's last ") {": defaults may hold calls, e.g. dev = this.device("cpu", 0).
  const m = new RegExp(`^\\s+${method}\\((.*)\\)\\s*\\{$`, 'm').exec(body);
  if (!m) return undefined;
  const params = m[1]!.split(',').map((s) => s.trim()).filter(Boolean);
  const firstDefault = params.findIndex((p) => p.includes('=') || p.startsWith('...'));
  return firstDefault < 0 ? params.length : firstDefault;
}

const pipelineSrc = classBody('class LLMChatPipeline {');
const engineSrc = classBody('class MLCEngine {');
const instanceSrc = classBody('class Instance {');
const tensorSrc = classBody('class Tensor extends TVMObject {') + classBody('class TVMObject {');
const deviceSrc = classBody('class DLDevice {');

describe('pinned @mlc-ai/web-llm version', () => {
  it('is installed and pinned exactly in package.json', () => {
    expect(installedWebLlmVersion).toBe(PINNED_WEBLLM_VERSION);
    const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@mlc-ai/web-llm']).toBe(PINNED_WEBLLM_VERSION);
    expect(() => assertPinnedWebLlmVersion()).not.toThrow();
  });

  it('refuses any other version, naming both', () => {
    expect(() => assertPinnedWebLlmVersion('0.2.87')).toThrow(WebLlmInternalsError);
    expect(() => assertPinnedWebLlmVersion('0.2.87')).toThrow(/0\.2\.86.*0\.2\.87/);
  });
});

describe('every private name exists in the installed lib/index.js', () => {
  it('LLMChatPipeline sets the fields the backend reads', () => {
    for (const name of [...PIPELINE_OBJECTS, ...PIPELINE_FUNCTIONS, ...PIPELINE_NUMBERS]) {
      expect(pipelineSrc, `this.${name} =`).toMatch(new RegExp(`this\\.${name} = `));
    }
    expect(pipelineSrc).toMatch(/this\.prefillChunkSize = metadata\.prefill_chunk_size;/);
    expect(pipelineSrc).toMatch(/this\.device = this\.tvm\.webgpu\(\);/);
    // `decoding` is the VM function "decode"; prefill is "prefill" under the single kv_cache ABI.
    expect(pipelineSrc).toMatch(/this\.decoding = this\.tvm\.detachFromCurrentScope\(LLMChatPipeline\.getRequiredVMFunctionByName\(this\.resolvedModelABI\.decodeFunctionName/);
    expect(pipelineSrc).toMatch(/this\.embed = this\.tvm\.detachFromCurrentScope\(LLMChatPipeline\.getRequiredVMFunctionByName\(embedSymbol/);
    expect(pipelineSrc).toMatch(/: "embed";/);
  });

  it('the ABI the backend expects is the one a prefill+decode kv_cache lib resolves to', () => {
    const single = /\/\/ kv_cache\s+if \(hasSingleKernelPair\) \{\s+return \{([^}]*)\}/.exec(pipelineSrc);
    expect(single).not.toBeNull();
    for (const [key, want] of Object.entries(EXPECTED_ABI)) {
      const text = key === 'kvStateKind' ? 'kvStateKind,' : `${key}: ${JSON.stringify(want)}`;
      expect(single![1], key).toContain(text);
    }
    expect(single![1]).toContain('prefillFunctionName: "prefill"');
    expect(single![1]).toContain('decodeFunctionName: "decode"');
  });

  it('WebLLM itself calls the functions the way the backend does', () => {
    // embed(int32 ids on the device, params) -> [n, hidden]
    expect(pipelineSrc).toMatch(/const inputData = this\.tvm\.empty\(\[inputTokens\.length\], "int32", this\.device\);/);
    expect(pipelineSrc).toContain('this.embed(inputData, this.params)');
    // [1, n, hidden] into prefill/decode with the kv cache and params; logits = ret.get(0)
    expect(pipelineSrc).toContain('allEmbeddings = this.tvm.concatEmbeddings(embeddings);');
    expect(pipelineSrc).toContain('allEmbeddings = allEmbeddings.view([1].concat(allEmbeddings.shape));');
    expect(pipelineSrc).toContain('return this.prefill(allEmbeddings, this.getSingleStateForABI(), this.params);');
    expect(pipelineSrc).toContain('return this.decoding(allEmbeddings, this.getSingleStateForABI(), this.params);');
    expect(pipelineSrc).toMatch(/if \(inputDataLen > 1\) \{\s+retValue = this\.invokePrefill/);
    expect(pipelineSrc).toContain('const logits = this.tvm.detachFromCurrentScope(retValue.get(0));');
    // begin_forward(kv, ShapeTuple[0], ShapeTuple[len]) ... end_forward(kv)
    expect(pipelineSrc).toContain('const inputLenShape = this.tvm.makeShapeTuple([inputDataLen]);');
    expect(pipelineSrc).toContain('const seqIdsTuple = this.tvm.makeShapeTuple([0]);');
    expect(pipelineSrc).toContain('this.fKVCacheBeginForward(state, seqIdsTuple, inputLenShape);');
    expect(pipelineSrc).toContain('this.fKVCacheEndForward(forwardStates[i]);');
    // reset = clear + add_sequence(0)
    expect(pipelineSrc).toMatch(/this\.fclearKVCaches\(state\);\s+this\.fKVCacheAddSequence\(state, new libExports\$2\.Scalar\(0, "int64"\)\);/);
    for (const name of Object.values(KV_GLOBAL_FUNCS)) expect(pipelineSrc).toContain(`getGlobalFunc("${name}")`);
  });

  it('kv_state_popn is not used by WebLLM 0.2.86 JS: the backend looks it up and falls back', () => {
    expect(libJs).not.toContain(KV_POPN);
  });

  it('MLCEngine keeps pipelines in loadedModelIdToPipeline and has reload/unload with these arities', () => {
    expect(engineSrc).toContain(`this.${ENGINE_PIPELINE_MAP} = new Map();`);
    expect(engineSrc).toContain(`this.${ENGINE_PIPELINE_MAP}.set(modelId, newPipeline);`);
    for (const [name, arity] of Object.entries(ENGINE_METHODS)) {
      expect(sourceArity(engineSrc, name), name).toBe(arity);
      expect(MLCEngine.prototype[name as keyof MLCEngine], name).toBeTypeOf('function');
    }
  });

  it('tvmjs Instance, Tensor and DLDevice methods exist with the arities checked at start-up', () => {
    for (const [name, arity] of Object.entries(TVM_METHODS)) expect(sourceArity(instanceSrc, name), `tvm.${name}`).toBe(arity);
    for (const [name, arity] of Object.entries(TENSOR_METHODS)) expect(sourceArity(tensorSrc, name), `Tensor.${name}`).toBe(arity);
    for (const [name, arity] of Object.entries(DEVICE_METHODS)) expect(sourceArity(deviceSrc, name), `DLDevice.${name}`).toBe(arity);
    expect(libJs).toContain(`this.concatEmbeddings = getGlobalFunc("${CONCAT_GLOBAL_FUNC}");`);
    // copyFromRawBytes writes straight into the GPU buffer and wants whole 4-byte words.
    expect(tensorSrc).toContain('webGPUContext.copyRawBytesToBuffer(data, this.getDataPtr(), this.byteOffset, data.length);');
  });
});

describe('checkWebLlmInternals', () => {
  it('accepts the real MLCEngine (constructed without a GPU) up to the missing pipeline', () => {
    const engine = new MLCEngine();
    expect(() => checkWebLlmInternals(engine, undefined)).toThrow(/internals this app drives.*: the loaded pipeline is missing\.$/);
  });

  it('accepts a pipeline with every name', () => {
    const fake = makeFake();
    expect(checkWebLlmInternals(fake.engine, fake.pipeline)).toBe(fake.pipeline);
    expect(fake.tvm.scopeDepth).toBe(0);
  });

  it('lists every missing or changed name in one WebLlmInternalsError', () => {
    const fake = makeFake();
    const pipeline = { ...fake.pipeline };
    delete pipeline.decoding;
    pipeline.resolvedModelABI = { ...EXPECTED_ABI, prefillABI: 'batch' };
    pipeline.prefillChunkSize = -1;
    fake.globals.delete(KV_GLOBAL_FUNCS.endForward);
    const engine = { reload: async () => {}, unload: async () => {} };
    let err: unknown;
    try {
      checkWebLlmInternals(engine, pipeline);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WebLlmInternalsError);
    const msg = (err as Error).message;
    expect(msg).toContain('@mlc-ai/web-llm 0.2.86');
    expect(msg).toContain('engine.reload() takes 0 parameters, expected 2');
    expect(msg).toContain('engine.loadedModelIdToPipeline (Map) is missing');
    expect(msg).toContain('pipeline.decoding (VM function) is missing');
    expect(msg).toContain('pipeline.resolvedModelABI.prefillABI is "batch", expected "single"');
    expect(msg).toContain('pipeline.prefillChunkSize is not a positive integer');
    expect(msg).toContain('global function vm.builtin.kv_state_end_forward is missing');
    expect(fake.tvm.scopeDepth).toBe(0);
  });
});
