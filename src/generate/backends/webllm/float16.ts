/**
 * IEEE 754 binary32 <-> binary16 on raw bits. The image rows leave ONNX Runtime as float32 and
 * must enter WebLLM's q4f16_1 pipeline as float16 bytes (tvmjs's copyFrom has no float16 path),
 * so the rounding here decides the exact values the decoder sees: round to nearest, ties to even,
 * with subnormals, overflow to infinity and NaN kept a (quiet) NaN, as a GPU cast would do.
 */

/** One float32 bit pattern -> float16 bit pattern. */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x0200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = m * 2^-24 with m = (1.mant) * 2^(exp-127+24), i.e. a right shift.
    const shift = 14 - e;
    if (exp === 0 || shift > 24) return sign; // below half the smallest subnormal: +-0
    const full = mant | 0x800000;
    const m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    // m + 1 may reach 0x400, which is exactly the smallest normal: the bits carry correctly.
    return sign | (rem > halfway || (rem === halfway && m & 1) ? m + 1 : m);
  }
  const half = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to 0x7c00 (infinity): still correct.
  return rem > 0x1000 || (rem === 0x1000 && half & 1) ? half + 1 : half;
}

/** One float16 bit pattern -> its exact float32 value. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** float32 array -> float16 bits (the bytes tvmjs copyFromRawBytes expects, little-endian). */
export function float32ToFloat16Array(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) out[i] = float32BitsToFloat16Bits(bits[i]!);
  return out;
}

export function float16ToFloat32Array(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float16BitsToFloat32(src[i]!);
  return out;
}
