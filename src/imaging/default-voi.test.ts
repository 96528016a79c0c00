import { describe, expect, it } from 'vitest';
import { defaultVoiImage, defaultVoiOf, windowValue } from './default-voi';
import type { DecodedImage } from './types';

function image(pixels: number[], over: Partial<DecodedImage> = {}): DecodedImage {
  const px = Uint16Array.from(pixels);
  return {
    format: 'dicom',
    width: px.length,
    height: 1,
    pixels: px,
    bitsStored: 12,
    signed: false,
    minStored: Math.min(...pixels),
    maxStored: Math.max(...pixels),
    slope: 1,
    intercept: 0,
    windows: [],
    voiLut: null,
    voiLutFunction: 'LINEAR',
    invert: false,
    photometric: 'MONOCHROME2',
    identity8: false,
    frames: 1,
    pixelSpacing: null,
    meta: [],
    notes: [],
    ...over,
  };
}

const grey = (img: DecodedImage) => Array.from(defaultVoiImage(img).data);

describe('default VOI (the model input)', () => {
  it('maps the full modality range to 0..255 when the file has no window', () => {
    expect(grey(image([100, 200, 300]))).toEqual([0, 128, 255]);
    expect(defaultVoiOf(image([100, 300]))).toMatchObject({ kind: 'window', center: 200.5, width: 201, source: 'full-range' });
  });

  it('applies rescale slope/intercept before the window, and the first window of several', () => {
    const img = image([0, 1000, 2000], { slope: 2, intercept: -1024, windows: [{ center: 976, width: 2001, label: 'A' }, { center: 0, width: 10, label: 'B' }] });
    // Modality values -1024, 976, 2976; DICOM linear window c=976 w=2001 -> 0..255 over [-24, 1976].
    expect(grey(img)).toEqual([0, 128, 255]);
  });

  it('follows the DICOM linear window formula at its edges', () => {
    // c=2048, w=4096: x <= 0 -> 0, x > 4095 -> 255, else ((x - 2047.5) / 4095 + 0.5) * 255.
    expect(windowValue(0, 2048, 4096, 'LINEAR')).toBe(0);
    expect(windowValue(4096, 2048, 4096, 'LINEAR')).toBe(255);
    expect(windowValue(2047.5, 2048, 4096, 'LINEAR')).toBeCloseTo(127.5, 10);
    expect(windowValue(1, 10, 1, 'LINEAR')).toBe(0);
    expect(windowValue(10, 10, 1, 'LINEAR')).toBe(255);
    expect(windowValue(50, 50, 100, 'LINEAR_EXACT')).toBe(127.5);
    expect(windowValue(50, 50, 100, 'SIGMOID')).toBe(127.5);
  });

  it('inverts MONOCHROME1 after windowing', () => {
    expect(grey(image([100, 200, 300], { invert: true }))).toEqual([255, 127, 0]);
  });

  it('passes 8-bit grey through unchanged (PNG/JPEG: exactly PIL convert("L"))', () => {
    const img = image([3, 7, 250], { identity8: true, bitsStored: 8, pixels: Uint8Array.from([3, 7, 250]) });
    expect(grey(img)).toEqual([3, 7, 250]);
  });

  it('uses a VOI LUT when there is no window', () => {
    const lut = { firstMapped: 10, bits: 8, data: Uint16Array.from([0, 100, 255]), label: 'LUT' };
    expect(grey(image([9, 10, 11, 12, 40], { voiLut: lut }))).toEqual([0, 0, 100, 255, 255]);
  });

  it('a flat image is black, not NaN', () => {
    expect(grey(image([5, 5]))).toEqual([0, 0]);
  });

  it('handles signed stored values', () => {
    const img = image([], { pixels: Int16Array.from([-2048, 0, 2047]), minStored: -2048, maxStored: 2047, signed: true, width: 3, windows: [{ center: 0, width: 4096, label: 'W' }] });
    expect(grey(img)).toEqual([0, 128, 255]);
  });
});
