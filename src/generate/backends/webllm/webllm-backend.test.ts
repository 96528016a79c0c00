import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../model/catalog';
import type { ModelManifest } from '../../../model/manifest';
import { DeviceLostError, GenerationError, ModelLoadError, WebGpuUnavailableError, WebLlmInternalsError } from '../../../worker/errors';
import type { PromptSegment } from '../../image-tokens';
import { makeFake, type Call, type Fake, type FakeOptions } from './fake-pipeline';
import { float32ToFloat16Array } from './float16';
import { WebLlmDecoderBackend, type EngineFactoryConfig } from './webllm-backend';

const HIDDEN = 4096;
const VOCAB = 32000;
const MANIFEST_URL = 'https://app.example/models/cxr-llava-v2/manifest.json';

/** The tiny manifest at real size (hidden 4096, 4k context) with a model lib, as the 7B's would be. */
function realSizeManifest(): ModelManifest {
  const m = parseManifest(readFileSync(path.resolve('public/models/cxr-llava-tiny/manifest.json'), 'utf8'));
  m.id = 'cxr-llava-v2';
  m.name = 'CXR-LLaVA v2';
  m.decoder.hiddenSize = HIDDEN;
  m.vision.outputDim = HIDDEN;
  for (const spec of Object.values(m.decoder.webllm!)) {
    spec.modelLib = 'https://libs.example/Llama-2-7b-chat-hf-q4f16_1_cs1k-webgpu.wasm';
    spec.contextWindow = 4096;
  }
  return m;
}

const ids = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
/** A report prompt: [text 42 ids | image 1024 rows | text 56 ids]. */
const REPORT: PromptSegment[] = [{ kind: 'text', ids: ids(42, 100) }, { kind: 'image' }, { kind: 'text', ids: ids(56, 500) }];
function rowsOf(seed: number): Float32Array {
  const rows = new Float32Array(1024 * HIDDEN);
  for (let i = 0; i < rows.length; i++) rows[i] = ((i * 7 + seed) % 97) / 13 - 3;
  return rows;
}
/** Byte equality of big typed arrays (vitest's toEqual is far too slow on 4M elements). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

async function setup(o: FakeOptions & { gpuHasF16?: boolean } = {}): Promise<{ backend: WebLlmDecoderBackend; fake: Fake; config: EngineFactoryConfig; progress: unknown[] }> {
  const fake = makeFake({ prefillChunkSize: 1024, ...o, embedDtype: o.embedDtype ?? (o.gpuHasF16 === false ? 'float32' : 'float16') });
  const progress: unknown[] = [];
  let config: EngineFactoryConfig | undefined;
  const backend = await WebLlmDecoderBackend.create({
    manifest: realSizeManifest(),
    manifestUrl: MANIFEST_URL,
    gpuHasF16: o.gpuHasF16 ?? true,
    onProgress: (p) => progress.push(p),
    createEngine: (c) => {
      config = c;
      return fake.engine;
    },
  });
  // create() embeds one BOS to learn the lib's embedding dtype and width.
  expect(trace(fake.log)).toEqual(['embed(1)']);
  fake.log.length = 0;
  return { backend, fake, config: config!, progress };
}

/** The log without the bytes, as short strings. */
const trace = (log: Call[]) =>
  log.map((c) => {
    switch (c.op) {
      case 'embed':
        return `embed(${c.ids.length})`;
      case 'concat':
        return `concat(${c.rows.join('+')})`;
      case 'upload':
        return `upload ${c.dtype}[${c.shape.join(',')}]`;
      case 'begin_forward':
        return `begin_forward(seq ${c.seq.join(',')}, len ${c.len.join(',')})`;
      case 'prefill':
      case 'decode':
        return `${c.op} ${c.dtype}[${c.shape.join(',')}]`;
      case 'add_sequence':
        return `add_sequence(${c.seq})`;
      case 'popn':
        return `popn(seq ${c.seq}, ${c.n})`;
      default:
        return c.op;
    }
  });

function liveTensors(fake: Fake) {
  return fake.tvm.tensors.filter((t) => !t.disposed);
}

describe('WebLlmDecoderBackend.create', () => {
  it('reloads the manifest model through WebLLM, forwards progress and checks the internals', async () => {
    const { backend, fake, config, progress } = await setup();
    expect(backend.description).toBe('webllm · q4f16_1');
    expect(fake.engine.reloads).toEqual(['cxr-llava-v2-q4f16_1']);
    expect(config.appConfig.model_list[0]!.model).toBe('https://app.example/models/cxr-llava-v2/mlc-q4f16_1/resolve/main/');
    config.initProgressCallback({ progress: 0.5, timeElapsed: 1, text: 'Fetching param cache' });
    expect(progress).toEqual([{ progress: 0.5, timeElapsed: 1, text: 'Fetching param cache' }]);
    expect(fake.tvm.scopeDepth).toBe(0);
    expect(backend.cacheLength).toBe(0);
  });

  it('refuses the tiny model (no model lib) before creating any engine', async () => {
    const tiny = parseManifest(readFileSync(path.resolve('public/models/cxr-llava-tiny/manifest.json'), 'utf8'));
    let created = false;
    const run = WebLlmDecoderBackend.create({ manifest: tiny, manifestUrl: MANIFEST_URL, gpuHasF16: true, createEngine: () => ((created = true), makeFake().engine) });
    await expect(run).rejects.toThrow(/no compiled WebLLM model library exists.*use the onnx backend/i);
    await expect(run).rejects.toBeInstanceOf(ModelLoadError);
    expect(created).toBe(false);
  });

  it("maps WebLLM's load errors to the app's classes", async () => {
    const failing = (name: string) => {
      const fake = makeFake();
      fake.engine.reload = async () => {
        const err = new Error(`${name} happened`);
        err.name = name;
        throw err;
      };
      return WebLlmDecoderBackend.create({ manifest: realSizeManifest(), manifestUrl: MANIFEST_URL, gpuHasF16: true, createEngine: () => fake.engine });
    };
    await expect(failing('WebGPUNotAvailableError')).rejects.toBeInstanceOf(WebGpuUnavailableError);
    await expect(failing('ShaderF16SupportError')).rejects.toMatchObject({ code: 'no-shader-f16' });
    await expect(failing('DeviceLostError')).rejects.toBeInstanceOf(DeviceLostError);
    await expect(failing('NetworkError')).rejects.toMatchObject({ name: 'ModelLoadError', message: expect.stringMatching(/could not load cxr-llava-v2-q4f16_1: NetworkError happened/) });
  });

  it('fails with WebLlmInternalsError (and unloads) when a private name is gone', async () => {
    const fake = makeFake();
    delete fake.pipeline.embed;
    const run = WebLlmDecoderBackend.create({ manifest: realSizeManifest(), manifestUrl: MANIFEST_URL, gpuHasF16: true, createEngine: () => fake.engine });
    await expect(run).rejects.toBeInstanceOf(WebLlmInternalsError);
    await expect(run).rejects.toThrow(/pipeline\.embed \(VM function\) is missing/);
    expect(fake.engine.unloads).toBe(1);
  });

  it('refuses a lib whose prefill chunk cannot hold the image in one piece', async () => {
    await expect(setup({ prefillChunkSize: 512 })).rejects.toMatchObject({ code: 'webllm-chunk' });
  });
});

describe('forward: the report prompt through the pipeline functions', () => {
  it('one chunk when the lib allows 2048: embed, embed, concat, begin_forward, prefill, end_forward', async () => {
    const { backend, fake } = await setup({ prefillChunkSize: 2048 });
    await backend.setImage(rowsOf(1), 1024, HIDDEN);
    const logits = await backend.forward(REPORT);
    expect(trace(fake.log)).toEqual([
      'embed(42)',
      'upload float16[1024,4096]',
      'embed(56)',
      'concat(42+1024+56)',
      'begin_forward(seq 0, len 1122)',
      'prefill float16[1,1122,4096]',
      'end_forward',
      'sync',
    ]);
    const embeds = fake.log.filter((c) => c.op === 'embed');
    expect(embeds.map((c) => c.ids)).toEqual([ids(42, 100), ids(56, 500)]);
    expect(logits).toBeInstanceOf(Float32Array);
    expect(logits.length).toBe(VOCAB);
    expect([logits[0], logits[1]]).toEqual([1122, 1122]);
    expect(backend.cacheLength).toBe(1122);
    // Nothing leaks: only the image rows stay on the GPU, for follow-up questions.
    expect(fake.tvm.scopeDepth).toBe(0);
    expect(liveTensors(fake).map((t) => t.shape)).toEqual([[1024, HIDDEN]]);
  });

  it('with the real lib (chunk 1024) the chunks break before the image and never split it', async () => {
    const { backend, fake } = await setup();
    await backend.setImage(rowsOf(1), 1024, HIDDEN);
    const logits = await backend.forward(REPORT);
    expect(trace(fake.log)).toEqual([
      'embed(42)',
      'begin_forward(seq 0, len 42)',
      'prefill float16[1,42,4096]',
      'end_forward',
      'upload float16[1024,4096]',
      'begin_forward(seq 0, len 1024)',
      'prefill float16[1,1024,4096]',
      'end_forward',
      'embed(56)',
      'begin_forward(seq 0, len 56)',
      'prefill float16[1,56,4096]',
      'end_forward',
      'sync',
    ]);
    expect([logits[0], logits[1]]).toEqual([1122, 56]);
    expect(fake.kvLength()).toBe(1122);
  });

  it('a long text before the image fills whole chunks, then the image gets its own', async () => {
    const { backend, fake } = await setup();
    await backend.setImage(rowsOf(1), 1024, HIDDEN);
    await backend.forward([{ kind: 'text', ids: ids(2100, 0) }, { kind: 'image' }, { kind: 'text', ids: ids(10, 0) }]);
    const prefills = fake.log.flatMap((c) => (c.op === 'prefill' ? [c.shape[1]] : []));
    expect(prefills).toEqual([1024, 1024, 52, 1024, 10]);
  });

  it('uploads the image rows as float16 with correct rounding, once per image', async () => {
    const { backend, fake } = await setup();
    const rows = rowsOf(3);
    rows.set([1, -2, 65520, 2 ** -25, 1.5 * 2 ** -24, 1 + 2 ** -11]);
    await backend.setImage(rows, 1024, HIDDEN);
    await backend.forward(REPORT);
    const uploads = fake.log.filter((c): c is Extract<Call, { op: 'upload' }> => c.op === 'upload');
    expect(uploads).toHaveLength(1);
    const half = new Uint16Array(uploads[0]!.bytes.buffer);
    expect(Array.from(half.subarray(0, 6))).toEqual([0x3c00, 0xc000, 0x7c00, 0x0000, 0x0002, 0x3c00]);
    expect(sameBytes(half, float32ToFloat16Array(rows))).toBe(true);
    // A follow-up with the image again (a new conversation) reuses the GPU copy.
    await backend.trimCache(0);
    await backend.forward(REPORT);
    expect(fake.log.filter((c) => c.op === 'upload')).toHaveLength(1);
  });

  it('q4f32_1 (no shader-f16) uploads float32 rows unchanged', async () => {
    const { backend, fake } = await setup({ gpuHasF16: false });
    expect(backend.description).toBe('webllm · q4f32_1');
    const rows = rowsOf(5);
    await backend.setImage(rows, 1024, HIDDEN);
    await backend.forward(REPORT);
    const upload = fake.log.find((c): c is Extract<Call, { op: 'upload' }> => c.op === 'upload')!;
    expect(upload.dtype).toBe('float32');
    expect(sameBytes(upload.bytes, rows)).toBe(true);
  });

  it('decode steps are single positions through `decode`', async () => {
    const { backend, fake } = await setup();
    await backend.setImage(rowsOf(1), 1024, HIDDEN);
    await backend.forward(REPORT);
    fake.log.length = 0;
    for (const [i, id] of [319, 29871, 13].entries()) {
      const logits = await backend.forward([{ kind: 'text', ids: [id] }]);
      expect(logits[0]).toBe(1123 + i);
    }
    expect(trace(fake.log)).toEqual(
      Array.from({ length: 3 }, () => ['embed(1)', 'begin_forward(seq 0, len 1)', 'decode float16[1,1,4096]', 'end_forward', 'sync']).flat(),
    );
    expect(backend.cacheLength).toBe(1125);
    expect(liveTensors(fake)).toHaveLength(1);
  });
});

describe('trimCache', () => {
  async function afterReport(withPopn: boolean) {
    const s = await setup({ withPopn });
    await s.backend.setImage(rowsOf(1), 1024, HIDDEN);
    await s.backend.forward(REPORT);
    for (const id of [7, 8, 9]) await s.backend.forward([{ kind: 'text', ids: [id] }]);
    s.fake.log.length = 0;
    return s;
  }

  it('uses kv_state_popn when the runtime has it', async () => {
    const { backend, fake } = await afterReport(true);
    expect(backend.trimsInPlace).toBe(true);
    await backend.trimCache(1100);
    expect(trace(fake.log)).toEqual(['popn(seq 0, 25)']);
    expect(backend.cacheLength).toBe(1100);
    expect(fake.kvLength()).toBe(1100);
    const logits = await backend.forward([{ kind: 'text', ids: [1, 2, 3] }]);
    expect(logits[0]).toBe(1103);
  });

  it('without popn: clears the cache and prefills the kept positions again (same ids, same image)', async () => {
    const { backend, fake } = await afterReport(false);
    expect(backend.trimsInPlace).toBe(false);
    await backend.trimCache(1100);
    expect(trace(fake.log)).toEqual([
      'clear',
      'add_sequence(0)',
      'embed(42)',
      'begin_forward(seq 0, len 42)',
      'prefill float16[1,42,4096]',
      'end_forward',
      'begin_forward(seq 0, len 1024)',
      'prefill float16[1,1024,4096]',
      'end_forward',
      'embed(34)',
      'begin_forward(seq 0, len 34)',
      'prefill float16[1,34,4096]',
      'end_forward',
    ]);
    const embeds = fake.log.filter((c) => c.op === 'embed');
    expect(embeds.map((c) => c.ids)).toEqual([ids(42, 100), ids(34, 500)]);
    expect(backend.cacheLength).toBe(1100);
    expect(fake.kvLength()).toBe(1100);
    // Trimming inside the decoded tail keeps the decoded ids too.
    await backend.forward([{ kind: 'text', ids: [77, 78] }]);
    fake.log.length = 0;
    await backend.trimCache(1101);
    expect(fake.log.filter((c) => c.op === 'embed').map((c) => c.ids)).toEqual([ids(42, 100), [...ids(56, 500).slice(0, 34), 77]]);
  });

  it('replays an earlier image from its rows when a new image was set since', async () => {
    const { backend, fake } = await afterReport(false);
    const first = rowsOf(1);
    await backend.setImage(rowsOf(2), 1024, HIDDEN);
    await backend.trimCache(1066);
    const upload = fake.log.find((c): c is Extract<Call, { op: 'upload' }> => c.op === 'upload')!;
    expect(sameBytes(upload.bytes, float32ToFloat16Array(first))).toBe(true);
    expect(liveTensors(fake)).toHaveLength(0); // the replayed old image does not stay on the GPU
  });

  it('trimCache(0) only resets the cache; longer lengths do nothing', async () => {
    const { backend, fake } = await afterReport(true);
    await backend.trimCache(5000);
    expect(fake.log).toEqual([]);
    await backend.trimCache(0);
    expect(trace(fake.log)).toEqual(['clear', 'add_sequence(0)']);
    expect(backend.cacheLength).toBe(0);
  });
});

describe('errors and disposal', () => {
  it('checks image rows and the context window', async () => {
    const { backend } = await setup();
    await expect(backend.forward(REPORT)).rejects.toThrow(/no image rows were set/);
    await expect(backend.setImage(new Float32Array(64 * 1024), 1024, 64)).rejects.toThrow(/hidden size is 4096/);
    await expect(backend.forward([{ kind: 'text', ids: ids(4097, 0) }])).rejects.toBeInstanceOf(GenerationError);
  });

  it('refuses a lib whose embeddings do not match the manifest (width, dtype)', async () => {
    await expect(setup({ hidden: 5120 })).rejects.toMatchObject({ code: 'webllm-mismatch' });
    await expect(setup({ embedDtype: 'bfloat16' })).rejects.toBeInstanceOf(WebLlmInternalsError);
  });

  it('injects the rows in the dtype the lib embeds in', async () => {
    const { backend, fake } = await setup({ embedDtype: 'float32' });
    await backend.setImage(rowsOf(1), 1024, HIDDEN);
    await backend.forward(REPORT);
    expect(trace(fake.log)).toContain('upload float32[1024,4096]');
  });

  it('reports a lost device as DeviceLostError (WebLLM unloads the pipeline, or the runtime says so)', async () => {
    const a = await setup();
    await a.fake.engine.unload(); // what WebLLM's device.lost handler does
    await expect(a.backend.forward([{ kind: 'text', ids: [1] }])).rejects.toBeInstanceOf(DeviceLostError);

    const b = await setup();
    b.fake.pipeline.decoding = () => {
      throw new Error('GPU device was lost');
    };
    await expect(b.backend.forward([{ kind: 'text', ids: [1] }])).rejects.toMatchObject({ name: 'DeviceLostError', code: 'device-lost' });
    expect(b.fake.tvm.scopeDepth).toBe(0);
  });

  it('after a forward fails half-way, the next call rebuilds the cache from what completed', async () => {
    const { backend, fake } = await setup();
    await backend.setImage(rowsOf(1), 1024, HIDDEN);
    const prefill = fake.pipeline.prefill as (...a: unknown[]) => unknown;
    fake.pipeline.prefill = (...a: unknown[]) => {
      if ((a[0] as { shape: number[] }).shape[1] === 56) throw new Error('shader validation failed');
      return prefill(...a);
    };
    await expect(backend.forward(REPORT)).rejects.toThrow(/shader validation failed/);
    expect(backend.cacheLength).toBe(1066); // the text and image chunks completed
    expect(fake.tvm.scopeDepth).toBe(0);
    fake.pipeline.prefill = prefill;
    fake.log.length = 0;
    const logits = await backend.forward([{ kind: 'text', ids: ids(56, 500) }]);
    expect(trace(fake.log).slice(0, 3)).toEqual(['clear', 'add_sequence(0)', 'embed(42)']);
    expect(logits[0]).toBe(1122);
    expect(fake.kvLength()).toBe(1122);
  });

  it('dispose frees the image rows and unloads the engine', async () => {
    const { backend, fake } = await setup();
    await backend.setImage(rowsOf(1), 1024, HIDDEN);
    await backend.forward(REPORT);
    await backend.dispose();
    expect(fake.engine.unloads).toBe(1);
    expect(liveTensors(fake)).toHaveLength(0);
    await expect(backend.forward([{ kind: 'text', ids: [1] }])).rejects.toThrow(/disposed/);
  });
});
