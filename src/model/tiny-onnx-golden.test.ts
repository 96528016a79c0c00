/**
 * The tiny model's ONNX graphs, run by onnxruntime-web (wasm, one thread) in Node, against the
 * PyTorch reference's golden outputs (models/reference.py).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from './manifest';
import { GOLDEN_DIR, readF32, readJson, TINY_DIR, type Golden } from './mlc/tiny-fixtures';

const manifest = readJson<ModelManifest>(path.join(TINY_DIR, 'manifest.json'));
const golden = readJson<Golden>(path.join(GOLDEN_DIR, 'golden.json'));
const d = manifest.decoder;

function session(file: string) {
  return ort.InferenceSession.create(readFileSync(path.join(TINY_DIR, file)), { executionProviders: ['wasm'] });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});

describe('tiny vision encoder (ONNX) vs PyTorch', () => {
  const pixels = readF32(path.join(GOLDEN_DIR, golden.pixelValues.file));
  const rows = readF32(path.join(GOLDEN_DIR, golden.imageRows.file));
  const v = manifest.vision;

  async function encode(file: string) {
    const s = await session(file);
    const out = await s.run({ [v.inputName]: new ort.Tensor('float32', pixels, golden.pixelValues.shape) });
    const y = out[v.outputName]!;
    await s.release();
    return y;
  }

  it('vision.onnx (fp32) matches the golden image rows within 1e-4', async () => {
    const y = await encode(v.onnx.fp32);
    expect(y.dims).toEqual([1, v.imageTokens, v.outputDim]);
    expect(maxAbsDiff(y.data as Float32Array, rows)).toBeLessThanOrEqual(1e-4);
  }, 60_000);

  it('vision.fp16.onnx keeps float32 I/O and stays within fp16 accuracy', async () => {
    const y = await encode(v.onnx.fp16!);
    expect(y.type).toBe('float32');
    expect(maxAbsDiff(y.data as Float32Array, rows)).toBeLessThanOrEqual(2e-2);
  }, 60_000);
});

/** The onnx decoder backend in miniature: embed text ids, splice image rows, prefill, decode. */
class TinyDecoder {
  private past = new Map<string, ort.Tensor>();
  private length = 0;

  constructor(
    private embedSession: ort.InferenceSession,
    private decoderSession: ort.InferenceSession,
  ) {
    this.reset();
  }

  reset() {
    this.length = 0;
    for (let i = 0; i < d.numLayers; i++) {
      for (const kind of ['key', 'value']) {
        const empty = new ort.Tensor('float32', new Float32Array(0), [1, d.numKeyValueHeads, 0, d.headDim]);
        this.past.set(`past_key_values.${i}.${kind}`, empty);
      }
    }
  }

  async embed(ids: number[]): Promise<Float32Array> {
    const input = new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const out = await this.embedSession.run({ input_ids: input });
    return out.inputs_embeds!.data as Float32Array;
  }

  /** Prompt ids with one image placeholder -> the [n * hidden] embedding sequence. */
  async promptEmbeds(ids: number[], imageRows: Float32Array): Promise<Float32Array> {
    const at = ids.indexOf(golden.imageTokenIndex);
    const parts = [await this.embed(ids.slice(0, at)), imageRows, await this.embed(ids.slice(at + 1))];
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Runs `embeds` ([n * hidden]) after the cached past; returns the last position's logits. */
  async forward(embeds: Float32Array): Promise<Float32Array> {
    const n = embeds.length / d.hiddenSize;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, n, d.hiddenSize]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(this.length + n).fill(1n), [1, this.length + n]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(this.length + i)), [1, n]),
    };
    for (const [k, t] of this.past) feeds[k] = t;
    const out = await this.decoderSession.run(feeds);
    for (let i = 0; i < d.numLayers; i++) {
      for (const kind of ['key', 'value']) {
        this.past.set(`past_key_values.${i}.${kind}`, out[`present.${i}.${kind}`]!);
      }
    }
    this.length += n;
    const logits = out.logits!.data as Float32Array;
    // decoder.onnx returns the last position's logits only ([1, 1, vocab]).
    expect(logits.length).toBe(d.vocabSize);
    return logits;
  }
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

describe('tiny LLaMA decoder (ONNX, KV cache) vs PyTorch greedy decoding', () => {
  let dec: TinyDecoder;
  const rows = readF32(path.join(GOLDEN_DIR, golden.imageRows.file));

  beforeAll(async () => {
    expect(d.onnx).toBeDefined();
    dec = new TinyDecoder(await session(d.onnx!.embed), await session(d.onnx!.decoder));
  }, 60_000);

  async function greedy(ids: number[], cap: number): Promise<number[]> {
    dec.reset();
    const out: number[] = [];
    let logits = await dec.forward(await dec.promptEmbeds(ids, rows));
    for (;;) {
      out.push(argmax(logits));
      if (out.length >= cap || out[out.length - 1] === golden.eosTokenId) return out;
      logits = await dec.forward(await dec.embed([out[out.length - 1]!]));
    }
  }

  it('prefill of the report prompt (image rows spliced in) predicts the golden first token', async () => {
    dec.reset();
    const logits = await dec.forward(await dec.promptEmbeds(golden.report.ids, rows));
    expect(argmax(logits)).toBe(golden.report.greedy[0]);
    // The rows matter: PyTorch picks another first token when they are zeros.
    expect(golden.report.firstTokenWithZeroImage).not.toBe(golden.report.greedy[0]);
  }, 60_000);

  it('decodes the golden greedy tokens step by step through the KV cache (report)', async () => {
    expect(await greedy(golden.report.ids, golden.report.greedy.length)).toEqual(golden.report.greedy);
  }, 120_000);

  it('decodes the golden greedy tokens of the re-rendered second chat turn', async () => {
    const t2 = golden.chat.turn2;
    expect(await greedy(t2.ids, t2.greedy.length)).toEqual(t2.greedy);
  }, 120_000);
});
