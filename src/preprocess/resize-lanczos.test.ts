import { describe, expect, it } from 'vitest';
import { diffStats, pilResize, randomBytes } from './pil-reference.node';
import { lanczosTaps, resizeLanczos, resizeShortSide, scalarPasses, shortSideSize } from './resize-lanczos';
import { simdPasses } from './resize-simd';
import type { GrayImage } from './types';

function noise(width: number, height: number, seed: number): GrayImage {
  return { width, height, data: randomBytes(width * height, seed) };
}

/** Hard edges make the Lanczos lobes overshoot, so clipping at 0 and 255 is exercised. */
function bars(width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = ((x >> 3) + (y >> 4)) & 1 ? 255 : 0;
  return { width, height, data };
}

describe('resizeLanczos equals PIL resize(resample=1) on mode L', () => {
  const cases: [string, GrayImage, number, number][] = [
    ['down both', noise(640, 480, 1), 333, 251],
    ['up both', noise(37, 23, 2), 300, 190],
    ['down x, up y', noise(800, 60, 3), 120, 333],
    ['up x, down y', noise(50, 900, 4), 401, 77],
    ['width unchanged (vertical pass only)', noise(129, 400, 5), 129, 97],
    ['height unchanged (horizontal pass only)', noise(400, 129, 6), 97, 129],
    ['same size (copy)', noise(64, 48, 7), 64, 48],
    ['to a single pixel', noise(90, 70, 8), 1, 1],
    ['from a single pixel', noise(1, 1, 9), 5, 9],
    ['clipping overshoot', bars(500, 300), 173, 611],
  ];
  // Both implementations of the passes, each against PIL itself.
  for (const passes of [simdPasses(scalarPasses)!, scalarPasses]) {
    for (const [name, img, w, h] of cases) {
      it(`${passes.name}, ${name}: ${img.width}x${img.height} -> ${w}x${h}`, () => {
        const ours = resizeLanczos(img, w, h, undefined, passes);
        expect([ours.width, ours.height]).toEqual([w, h]);
        expect(diffStats(ours.data, pilResize(img, w, h))).toEqual({ max: 0, count: 0 });
      }, 60_000);
    }
  }

  it('computes a region with exactly the pixels of the full resize', () => {
    const img = noise(301, 257, 10);
    const full = resizeLanczos(img, 640, 190);
    const region = { left: 17, top: 33, width: 500, height: 101 };
    const part = resizeLanczos(img, 640, 190, region);
    for (let y = 0; y < region.height; y++) {
      const row = full.data.subarray((y + region.top) * 640 + region.left, (y + region.top) * 640 + region.left + region.width);
      expect(part.data.subarray(y * region.width, (y + 1) * region.width)).toEqual(row);
    }
    expect(() => resizeLanczos(img, 640, 190, { left: 600, top: 0, width: 41, height: 1 })).toThrow(RangeError);
  });

  it('normalises every tap row to 1 in 22-bit fixed point (within rounding)', () => {
    for (const [inSize, outSize] of [[3000, 614], [100, 512], [777, 512], [512, 512]] as const) {
      const t = lanczosTaps(inSize, outSize);
      for (let i = 0; i < outSize; i++) {
        let sum = 0;
        for (let x = 0; x < t.length[i]!; x++) sum += t.weights[i * t.ksize + x]!;
        expect(Math.abs(sum - (1 << 22))).toBeLessThanOrEqual(t.ksize);
      }
    }
  });
});

describe('shortSideSize (the reference: short side -> size, long = int(size * long / short))', () => {
  it('truncates like Python int() and keeps the orientation', () => {
    expect(shortSideSize(3000, 2500, 512)).toEqual({ width: 614, height: 512 });
    expect(shortSideSize(2500, 3000, 512)).toEqual({ width: 512, height: 614 });
    expect(shortSideSize(513, 777, 512)).toEqual({ width: 512, height: 775 });
    expect(shortSideSize(700, 700, 512)).toEqual({ width: 512, height: 512 });
    expect(shortSideSize(3, 1000, 512)).toEqual({ width: 512, height: 170666 });
    // 512 * 1536 / 1024 is exactly 768; float error must not drop it to 767.
    expect(shortSideSize(1536, 1024, 512)).toEqual({ width: 768, height: 512 });
  });

  it('resizeShortSide resizes to that size', () => {
    const out = resizeShortSide(noise(90, 60, 12), 64);
    expect([out.width, out.height]).toEqual([96, 64]);
  });
});
