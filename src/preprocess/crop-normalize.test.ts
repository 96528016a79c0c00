import { describe, expect, it } from 'vitest';
import { centerCrop, centerCropOffset, normalizeTable, normalizeToTensor } from './crop-normalize';

describe('centerCrop', () => {
  it('uses floor((dim - size) / 2) like the reference', () => {
    expect(centerCropOffset(614, 512, 512)).toEqual({ left: 51, top: 0 });
    expect(centerCropOffset(512, 775, 512)).toEqual({ left: 0, top: 131 });
    expect(centerCropOffset(5, 4, 8)).toEqual({ left: -2, top: -2 });
  });

  it('crops, and zero-pads an image smaller than the window as transformers does', () => {
    const img = { width: 5, height: 3, data: Uint8Array.from({ length: 15 }, (_, i) => i + 1) };
    expect(Array.from(centerCrop(img, 3).data)).toEqual([2, 3, 4, 7, 8, 9, 12, 13, 14]);
    // 5x3 in 6x6: left = floor(-1/2) = -1, top = floor(-3/2) = -2.
    const padded = centerCrop(img, 6);
    expect(Array.from(padded.data)).toEqual([
      0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0,
      0, 1, 2, 3, 4, 5,
      0, 6, 7, 8, 9, 10,
      0, 11, 12, 13, 14, 15,
      0, 0, 0, 0, 0, 0,
    ]);
  });
});

describe('normalisation', () => {
  it('is (x / 255 - mean) / std to float32 precision', () => {
    const t = normalizeTable(0.5518, 0.3822);
    for (let v = 0; v < 256; v++) expect(Math.abs(t[v]! - (v / 255 - 0.5518) / 0.3822)).toBeLessThan(1e-6);
  });

  it('refuses mean/std that do not fit the channels', () => {
    const img = { width: 1, height: 1, data: new Uint8Array(1) };
    expect(() => normalizeToTensor(img, [0.5], [0.5, 0.5])).toThrow(RangeError);
    expect(() => normalizeTable(0.5, 0)).toThrow(RangeError);
  });
});
