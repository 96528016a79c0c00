import { describe, expect, it } from 'vitest';
import { lensFactor, lensPixels, type LensView } from './magnify';
import type { DecodedImage } from './types';

/** A 1000 × 1000 12-bit image of one-pixel stripes: 0 and 4095 by column. */
function stripes(): DecodedImage {
  const size = 1000;
  const pixels = new Uint16Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels[y * size + x] = x % 2 ? 4095 : 0;
  return { width: size, height: size, pixels, slope: 1, intercept: 0, minStored: 0, maxStored: 4095 } as DecodedImage;
}

const grey = (rgba: Uint8ClampedArray, size: number, x: number, y: number) => rgba[(y * size + x) * 4]!;

describe('magnifying glass', () => {
  // Fitted: 1000 image pixels drawn in 200 CSS pixels (5 image pixels per CSS pixel), upright.
  const fitted: LensView = { origin: { x: 0, y: 0 }, ex: { x: 5, y: 0 }, ey: { x: 0, y: 5 }, window: { center: 2048, width: 4096 }, invert: false };

  it('draws at least every pixel of the file, and twice the view where the view already does', () => {
    expect(lensFactor(fitted)).toBe(5);
    expect(lensFactor(fitted, 2)).toBe(2.5);
    expect(lensFactor({ ex: { x: 0.25, y: 0 } })).toBe(2);
    // Turned a quarter: the same scale.
    expect(lensFactor({ ex: { x: 0, y: -5 } })).toBe(5);
    expect(lensFactor({ ex: { x: 100, y: 0 } })).toBe(16);
    // The reader's power on top, from 1 to 4.
    expect(lensFactor(fitted, 1, 2)).toBe(10);
    expect(lensFactor({ ex: { x: 0.25, y: 0 } }, 1, 1.25)).toBe(2.5);
    expect(lensFactor(fitted, 1, 9)).toBe(20);
    expect(lensFactor(fitted, 1, 0.5)).toBe(5);
  });

  it("shows the file's own pixels where the view can only show their average", () => {
    const img = stripes();
    const size = 20;
    const lens = lensPixels(img, fitted, { x: 100, y: 100 }, size);
    // One lens pixel per image pixel: the stripes alternate black and white, as in the file.
    const row = Array.from({ length: size }, (_, i) => grey(lens, size, i, 10));
    expect(new Set(row)).toEqual(new Set([0, 255]));
    for (let i = 1; i < size; i++) expect(row[i]).not.toBe(row[i - 1]);
    // Lens pixel i is image column 500 - 10 + i: odd columns white.
    expect(row[1]).toBe(255);
    expect(grey(lens, size, 0, 0)).toBe(0);
    expect(lens[3]).toBe(255);
    // Twice the power: each file pixel two lens pixels wide.
    const twice = lensPixels(img, fitted, { x: 100, y: 100 }, size, 1, 2);
    const pairs = Array.from({ length: size }, (_, i) => grey(twice, size, i, 10));
    expect(pairs.slice(0, 8)).toEqual([255, 255, 0, 0, 255, 255, 0, 0]); // columns 495, 495, 496, 496, …
  });

  it("windows and inverts as the view does, and is black off the image", () => {
    const img = stripes();
    const size = 10;
    // Lens pixel i is image column 495 + i here: even i white. Inverted, the other way round.
    const plain = lensPixels(img, fitted, { x: 100, y: 100 }, size);
    expect([grey(plain, size, 0, 0), grey(plain, size, 1, 0)]).toEqual([255, 0]);
    const inverted = lensPixels(img, { ...fitted, invert: true }, { x: 100, y: 100 }, size);
    expect([grey(inverted, size, 0, 0), grey(inverted, size, 1, 0)]).toEqual([0, 255]);
    // A value of 1024 under the full window and under a window centred on it (with a slope of 2 and an intercept).
    const flat = { ...img, pixels: new Uint16Array(img.pixels.length).fill(1024) };
    expect(grey(lensPixels(flat, fitted, { x: 100, y: 100 }, size), size, 5, 5)).toBe(Math.round(((1024 - 2047.5) / 4095 + 0.5) * 255));
    expect(grey(lensPixels({ ...flat, slope: 2, intercept: -1024 }, { ...fitted, window: { center: 1024, width: 101 } }, { x: 100, y: 100 }, size), size, 5, 5)).toBe(Math.round(((1024 - 1023.5) / 100 + 0.5) * 255));
    // Mid-grey for a value at the window's centre (Cornerstone's LUT: c' = c - 0.5, w' = w - 1).
    const mid = lensPixels({ ...img, pixels: new Uint16Array(img.pixels.length).fill(2048) }, fitted, { x: 100, y: 100 }, size);
    expect(grey(mid, size, 5, 5)).toBe(Math.round(((2048 - 2047.5) / 4095 + 0.5) * 255));
    // The lens over the image's top left corner: the quarter off the image is black.
    const corner = lensPixels(img, fitted, { x: 0, y: 0 }, size);
    expect(grey(corner, size, 0, 0)).toBe(0);
    // One lens pixel per image pixel, the lens centred on the corner: lens pixel i is column i - 5.
    expect(grey(corner, size, 6, 5)).toBe(255); // image column 1
    expect(grey(corner, size, 5, 5)).toBe(0); // column 0
    expect(grey(corner, size, 4, 5)).toBe(0); // column -1: off the image
    expect(grey(corner, size, 6, 4)).toBe(0); // row -1: off the image
  });
});
