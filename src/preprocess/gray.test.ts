import { describe, expect, it } from 'vitest';
import { imageDataToGray, rgbToGray } from './gray';
import { diffStats, pilGray, randomBytes } from './pil-reference.node';

describe('rgbToGray matches PIL convert("L")', () => {
  it('on a million random RGB pixels, bit for bit', () => {
    const w = 1000;
    const h = 1000;
    const rgb = randomBytes(w * h * 3, 7);
    const ours = rgbToGray(rgb, w, h, 3);
    expect(ours.width).toBe(w);
    expect(diffStats(ours.data, pilGray(rgb, w, h, 3))).toEqual({ max: 0, count: 0 });
  }, 60_000);

  it('on RGBA (alpha ignored, as PIL does) and on the colours where rounding matters', () => {
    const w = 256;
    const h = 300;
    const rgba = randomBytes(w * h * 4, 11);
    // Greys, pure primaries and near-half cases where a float formula would round differently.
    for (let v = 0; v < 256; v++) {
      rgba.set([v, v, v, 255 - v], v * 4);
      rgba.set([v, 0, 0, 0], (256 + v) * 4);
      rgba.set([0, v, 0, 7], (512 + v) * 4);
      rgba.set([0, 0, v, 255], (768 + v) * 4);
    }
    const ours = imageDataToGray({ width: w, height: h, data: new Uint8ClampedArray(rgba) });
    expect(diffStats(ours.data, pilGray(rgba, w, h, 4))).toEqual({ max: 0, count: 0 });
    for (let v = 0; v < 256; v++) expect(ours.data[v]).toBe(v);
  }, 60_000);

  it('refuses a buffer of the wrong size', () => {
    expect(() => rgbToGray(new Uint8Array(11), 2, 2, 3)).toThrow(RangeError);
  });
});
