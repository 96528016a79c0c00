import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Array } from './float16';

const bits = (x: number) => float32ToFloat16Array(Float32Array.of(x))[0];
const f32FromBits = (b: number) => new Float32Array(Uint32Array.of(b).buffer)[0]!;

describe('float32 -> float16 bits', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [0.1, 0x2e66], // 0.1 rounds down
    [1 / 3, 0x3555],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [(1023 / 1024) * 2 ** -14, 0x03ff], // largest subnormal
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [1e10, 0x7c00], // overflow -> inf
    [1e-10, 0x0000], // underflow -> 0
    [-1e-10, 0x8000],
  ])('%s -> %s', (x, want) => {
    expect(bits(x)).toBe(want);
  });

  it('rounds to nearest, ties to even (normals)', () => {
    expect(bits(1 + 2 ** -11)).toBe(0x3c00); // halfway between 0x3c00 and 0x3c01: even is 0x3c00
    expect(bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway between 0x3c01 and 0x3c02: even is 0x3c02
    expect(bits(f32FromBits(0x3f801001))).toBe(0x3c01); // just above halfway: up
    expect(bits(f32FromBits(0x3f800fff))).toBe(0x3c00); // just below halfway: down
    expect(bits(65519)).toBe(0x7bff); // below the halfway point to 65536
    expect(bits(65520)).toBe(0x7c00); // halfway to 65536 rounds to even, i.e. infinity
  });

  it('rounds to nearest, ties to even (subnormals and the edges)', () => {
    expect(bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: tie to even 0
    expect(bits(f32FromBits(0x33000001))).toBe(0x0001); // just above 2^-25
    expect(bits(1.5 * 2 ** -24)).toBe(0x0002); // tie between 1 and 2 -> 2
    expect(bits(2.5 * 2 ** -24)).toBe(0x0002); // tie between 2 and 3 -> 2
    expect(bits(1023.5 * 2 ** -24)).toBe(0x0400); // tie at the top of the subnormals carries into the smallest normal
    expect(bits(-3 * 2 ** -24)).toBe(0x8003);
  });

  it('keeps NaN a NaN', () => {
    const h = bits(NaN)!;
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x3ff).not.toBe(0);
    expect(bits(f32FromBits(0x7f800001))! & 0x3ff).not.toBe(0); // a signalling NaN with low bits only
  });

  it('is exact on every half value (round trip through float16 -> float32 -> float16)', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const back = float32ToFloat16Array(float16ToFloat32Array(all));
    for (let i = 0; i < all.length; i++) {
      const isNaN = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (!isNaN && back[i] !== i) throw new Error(`0x${i.toString(16)} came back as 0x${back[i]!.toString(16)}`);
    }
  });

  it('matches a brute-force nearest-half reference on 50,000 random float32 values', () => {
    // Positive finite halves in bit order are increasing; 0x7c00 stands for 65536 (past the top, rounds to inf).
    const value = (h: number) => (h === 0x7c00 ? 65536 : float16BitsToFloat32(h));
    const reference = (x: number) => {
      const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
      const a = Math.abs(x);
      let lo = 0;
      let hi = 0x7c00;
      if (a >= value(hi)) return sign | 0x7c00;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (value(mid) <= a) lo = mid;
        else hi = mid;
      }
      const dLo = a - value(lo);
      const dHi = value(hi) - a;
      return sign | (dLo < dHi || (dLo === dHi && lo % 2 === 0) ? lo : hi);
    };
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    for (let i = 0; i < 50_000; i++) {
      // Exponents 96..143 cover underflow, subnormals, normals and overflow of float16.
      const b = (next() & 0x80000000) | ((96 + (next() % 48)) << 23) | (next() & 0x7fffff);
      const x = f32FromBits(b >>> 0);
      if (bits(x) !== reference(x)) throw new Error(`0x${(b >>> 0).toString(16)}: got ${bits(x)}, want ${reference(x)}`);
    }
  });

  it('decodes half bits', () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(Number.isNaN(float16BitsToFloat32(0x7e00))).toBe(true);
  });

  it('converts a subarray view at an offset', () => {
    const rows = Float32Array.of(9, 1, -2, 9);
    expect(Array.from(float32ToFloat16Array(rows.subarray(1, 3)))).toEqual([0x3c00, 0xc000]);
  });
});
