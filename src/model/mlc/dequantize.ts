/**
 * MLC-LLM group quantisation q4f16_1 / q4f32_1 (mlc_llm/quantization/group_quantization.py,
 * layout "NK"): a weight [n, k] is stored as
 *   q_weight uint32 [n, groups * 4]   8 int4 per word, element j of a row at bits 4*(j%8) of word j/8
 *   q_scale  f16|f32 [n, groups]      groups = ceil(k / 32); scale = max|w| / 7 per group
 * and w[i][j] = (q - 7) * scale[i][j / 32]. Rows shorter than whole groups are zero-padded.
 */
import type { Tensor } from './tensor-cache';
import { bf16ToFloat32 } from './tensor-cache';

export const GROUP_SIZE = 32;
const PER_WORD = 8;
const MAX_INT = 7;

/** IEEE half -> float32, subnormals, infinities and NaN included. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** A float tensor (float32, float16 or bfloat16) as Float32Array. */
export function toFloat32(t: Tensor): Float32Array {
  const { buffer, byteOffset, byteLength } = t.data;
  switch (t.dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'float16':
      return float16ToFloat32(new Uint16Array(buffer, byteOffset, byteLength / 2));
    case 'bfloat16':
      return bf16ToFloat32(new Uint16Array(buffer, byteOffset, byteLength / 2));
    default:
      throw new Error(`${t.name}: ${t.dtype} is not a float tensor`);
  }
}

/**
 * Unpacks q4 weights to float32 [rows, cols]. `cols` is the original input width (k); it
 * defaults to the packed width, which is right whenever k is a multiple of 32.
 */
export function dequantizeQ4(qWeight: Uint32Array, qScale: Float32Array, rows: number, cols?: number): Float32Array {
  const words = qWeight.length / rows;
  const groups = qScale.length / rows;
  if (!Number.isInteger(words) || !Number.isInteger(groups) || words !== groups * (GROUP_SIZE / PER_WORD)) {
    throw new Error(`q4 shapes disagree: ${qWeight.length} words, ${qScale.length} scales, ${rows} rows`);
  }
  const k = cols ?? words * PER_WORD;
  if (k > words * PER_WORD || k <= (groups - 1) * GROUP_SIZE) {
    throw new Error(`cols ${k} does not fit ${groups} groups of ${GROUP_SIZE}`);
  }
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const word = qWeight[r * words + (j >> 3)]!;
      const q = (word >>> ((j & 7) * 4)) & 0xf;
      out[r * k + j] = (q - MAX_INT) * qScale[r * groups + ((j / GROUP_SIZE) | 0)]!;
    }
  }
  return out;
}

/** Dequantises `${prefix}.q_weight` + `${prefix}.q_scale` from loaded tensors. */
export function dequantizeParam(tensors: Map<string, Tensor>, prefix: string, cols?: number): Float32Array {
  const w = tensors.get(`${prefix}.q_weight`);
  const s = tensors.get(`${prefix}.q_scale`);
  if (!w || !s) throw new Error(`${prefix}: q_weight / q_scale not loaded`);
  if (w.dtype !== 'uint32') throw new Error(`${w.name}: expected uint32, got ${w.dtype}`);
  const rows = w.shape[0]!;
  const words = new Uint32Array(w.data.buffer, w.data.byteOffset, w.data.byteLength / 4);
  return dequantizeQ4(words, toFloat32(s), rows, cols);
}
