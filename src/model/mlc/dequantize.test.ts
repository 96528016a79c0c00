import { describe, expect, it } from 'vitest';
import { dequantizeQ4, float16ToFloat32 } from './dequantize';
import { bf16ToFloat32, parseTensorCache, TensorCacheError } from './tensor-cache';

/** Packs int4 values row by row exactly as mlc_llm's pack_weight does (zero-padded words). */
function pack(q: number[][], wordsPerRow: number): Uint32Array {
  const out = new Uint32Array(q.length * wordsPerRow);
  q.forEach((row, r) => {
    row.forEach((v, j) => {
      out[r * wordsPerRow + (j >> 3)]! |= v << ((j & 7) * 4);
    });
  });
  return out;
}

describe('q4 group dequantisation', () => {
  it('reads element j of a row from bits 4*(j%8) of word j/8, minus 7, times its group scale', () => {
    const row0 = Array.from({ length: 32 }, (_, j) => j % 15);
    const row1 = Array.from({ length: 32 }, (_, j) => 14 - (j % 15));
    const w = dequantizeQ4(pack([row0, row1], 4), new Float32Array([0.5, 2]), 2);
    expect(w.length).toBe(64);
    for (let j = 0; j < 32; j++) {
      expect(w[j]).toBe((row0[j]! - 7) * 0.5);
      expect(w[32 + j]).toBe((row1[j]! - 7) * 2);
    }
  });

  it('handles rows that end inside a group (k = 40: two groups, padded words ignored)', () => {
    const row = Array.from({ length: 40 }, (_, j) => (j < 32 ? 8 : 6));
    const w = dequantizeQ4(pack([row], 8), new Float32Array([1, 3]), 1, 40);
    expect(Array.from(w.slice(0, 32))).toEqual(new Array(32).fill(1));
    expect(Array.from(w.slice(32))).toEqual(new Array(8).fill(-3));
  });

  it('rejects shapes that do not belong together', () => {
    expect(() => dequantizeQ4(new Uint32Array(3), new Float32Array(1), 1)).toThrow(/disagree/);
    expect(() => dequantizeQ4(new Uint32Array(8), new Float32Array(2), 1, 20)).toThrow(/does not fit/);
  });
});

describe('float decoding', () => {
  it('decodes IEEE half precision', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x7c00, 0x0000, 0x8000]);
    const f = float16ToFloat32(bits);
    expect(f[0]).toBe(1);
    expect(f[1]).toBe(-2);
    expect(f[2]).toBeCloseTo(0.33325, 5);
    expect(f[3]).toBe(2 ** -24);
    expect(f[4]).toBe(65504);
    expect(f[5]).toBe(Infinity);
    expect(Object.is(f[7], -0)).toBe(true);
  });

  it('widens bfloat16 to float32', () => {
    expect(Array.from(bf16ToFloat32(new Uint16Array([0x3f80, 0xc040, 0x3e80])))).toEqual([1, -3, 0.25]);
  });
});

describe('tensor-cache.json', () => {
  const shard = (records: unknown[], nbytes = 64) => JSON.stringify({ records: [{ dataPath: 'p.bin', format: 'raw-shard', nbytes, records }] });

  it('accepts bf16-packed float32 (2 bytes per element) and raw records', () => {
    const text = shard([
      { name: 'a', shape: [4, 2], dtype: 'float32', format: 'f32-to-bf16', nbytes: 16, byteOffset: 0 },
      { name: 'b', shape: [4], dtype: 'uint32', format: 'f32-to-bf16', nbytes: 16, byteOffset: 16 },
    ]);
    expect(parseTensorCache(text).records[0]!.records).toHaveLength(2);
  });

  it('refuses records whose size or place does not match', () => {
    expect(() => parseTensorCache(shard([{ name: 'a', shape: [4], dtype: 'float16', format: 'raw', nbytes: 16, byteOffset: 0 }]))).toThrow(TensorCacheError);
    expect(() => parseTensorCache(shard([{ name: 'a', shape: [8], dtype: 'float32', format: 'raw', nbytes: 32, byteOffset: 48 }]))).toThrow(/outside/);
    expect(() => parseTensorCache(shard([{ name: 'a', shape: [1], dtype: 'int8', format: 'raw', nbytes: 1, byteOffset: 0 }]))).toThrow(/dtype/);
  });
});
