import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../manifest';
import { dequantizeParam, GROUP_SIZE, toFloat32 } from './dequantize';
import { loadTensorCache, type Tensor } from './tensor-cache';
import { dirReader, goldenWeights, readJson, TINY_DIR } from './tiny-fixtures';

const manifest = readJson<ModelManifest>(path.join(TINY_DIR, 'manifest.json'));
const golden = goldenWeights();
const d = manifest.decoder;

/** Where each golden fp32 matrix lives in MLC's fused layout: [param, first row, rows, cols]. */
function mlcLocation(name: string): [string, number, number, number] {
  const h = d.hiddenSize;
  const q = d.numHeads * d.headDim;
  const kv = d.numKeyValueHeads * d.headDim;
  const i = d.intermediateSize;
  const table: Record<string, [string, number, number, number]> = {
    'llama.layers.0.self_attn.q_proj.weight': ['model.layers.0.self_attn.qkv_proj', 0, q, h],
    'llama.layers.0.self_attn.k_proj.weight': ['model.layers.0.self_attn.qkv_proj', q, kv, h],
    'llama.layers.0.self_attn.v_proj.weight': ['model.layers.0.self_attn.qkv_proj', q + kv, kv, h],
    'llama.layers.0.self_attn.o_proj.weight': ['model.layers.0.self_attn.o_proj', 0, h, q],
    'llama.layers.0.mlp.gate_proj.weight': ['model.layers.0.mlp.gate_up_proj', 0, i, h],
    'llama.layers.0.mlp.up_proj.weight': ['model.layers.0.mlp.gate_up_proj', i, i, h],
    'llama.layers.0.mlp.down_proj.weight': ['model.layers.0.mlp.down_proj', 0, h, i],
    'llama.embed_tokens.weight[:64]': ['model.embed_tokens', 0, 64, h],
    'lm_head.weight[:64]': ['lm_head', 0, 64, h],
  };
  const loc = table[name];
  if (!loc) throw new Error(`no MLC location for ${name}`);
  return loc;
}

const NORMS: Record<string, string> = {
  'llama.layers.0.input_layernorm.weight': 'model.layers.0.input_layernorm.weight',
  'llama.layers.0.post_attention_layernorm.weight': 'model.layers.0.post_attention_layernorm.weight',
  'llama.norm.weight': 'model.norm.weight',
};

/**
 * |w - deq| <= scale/2 (rounding to the int4 grid) + 2% of scale (the f16 arithmetic of the
 * quantiser, and for q4f32_1 the bf16-stored scale: 7 * 2^-9) + |w| * 2^-10 (w rounded to f16).
 */
function checkMatrix(ref: Float32Array, deq: Float32Array, scales: Float32Array, rows: number, cols: number, row0: number) {
  const groups = Math.ceil(cols / GROUP_SIZE);
  let worst = -Infinity;
  let errSum = 0;
  let scaleSum = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const w = ref[r * cols + c]!;
      const s = scales[(row0 + r) * groups + Math.floor(c / GROUP_SIZE)]!;
      const err = Math.abs(w - deq[(row0 + r) * cols + c]!);
      worst = Math.max(worst, err - (0.52 * s + Math.abs(w) * 2 ** -10 + 1e-7));
      errSum += err;
      scaleSum += s;
    }
  }
  return { worstExcess: worst, meanErrOverScale: errSum / scaleSum };
}

for (const quant of ['q4f16_1', 'q4f32_1'] as const) {
  describe(`tiny model MLC ${quant} weights`, () => {
    const spec = d.webllm?.[quant];
    const folder = path.join(TINY_DIR, spec?.modelFolder ?? 'missing');

    it('has a well-formed folder: shards match their md5sum, chat config matches the manifest', async () => {
      expect(spec).toBeDefined();
      const { cache } = await loadTensorCache(dirReader(folder), { names: [] });
      for (const shard of cache.records) {
        const bytes = readFileSync(path.join(folder, shard.dataPath));
        expect(createHash('md5').update(bytes).digest('hex')).toBe(shard.md5sum);
      }
      const chat = readJson<Record<string, unknown>>(path.join(folder, 'mlc-chat-config.json'));
      expect(chat.quantization).toBe(quant);
      expect(chat.vocab_size).toBe(d.vocabSize);
      expect(chat.context_window_size).toBe(spec!.contextWindow);
      expect(chat.prefill_chunk_size).toBe(spec!.prefillChunkSize);
      expect(chat.tokenizer_files).toContain('tokenizer.json');
    });

    it('dequantises to the PyTorch fp32 weights within the q4 error bound', async () => {
      const { tensors } = await loadTensorCache(dirReader(folder));
      const scaleDtype = quant === 'q4f16_1' ? 'float16' : 'float32';
      expect(tensors.get('lm_head.q_scale')?.dtype).toBe(scaleDtype);
      const cache = new Map<string, { deq: Float32Array; scales: Float32Array }>();
      for (const [name, ref] of golden) {
        if (name in NORMS) continue;
        const [param, row0, rows, cols] = mlcLocation(name);
        if (!cache.has(param)) {
          cache.set(param, {
            deq: dequantizeParam(tensors, param, cols),
            scales: toFloat32(tensors.get(`${param}.q_scale`) as Tensor),
          });
        }
        const { deq, scales } = cache.get(param)!;
        const r = checkMatrix(ref.data, deq, scales, rows, cols, row0);
        expect(r.worstExcess, name).toBeLessThanOrEqual(0);
        expect(r.meanErrOverScale, name).toBeLessThan(0.3); // uniform rounding error averages ~0.25
      }
      // The check can fail: the same matrix against the wrong rows does.
      const { deq, scales } = cache.get('model.layers.0.self_attn.qkv_proj')!;
      const k = golden.get('llama.layers.0.self_attn.k_proj.weight')!;
      expect(checkMatrix(k.data, deq, scales, d.hiddenSize, d.hiddenSize, 0).worstExcess).toBeGreaterThan(0);
    });

    it('keeps the norm weights unquantised (f16, or f32 stored as bf16)', async () => {
      const { tensors } = await loadTensorCache(dirReader(folder), { names: Object.values(NORMS) });
      for (const [src, dst] of Object.entries(NORMS)) {
        const ref = golden.get(src)!.data;
        const got = toFloat32(tensors.get(dst)!);
        const rel = quant === 'q4f16_1' ? 2 ** -11 : 2 ** -8;
        ref.forEach((w, i) => expect(Math.abs(w - got[i]!)).toBeLessThanOrEqual(Math.abs(w) * rel));
      }
    });
  });
}
