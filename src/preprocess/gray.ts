import type { GrayImage } from './types';

/**
 * RGB(A) -> 8-bit grey, bit-exact with PIL's `convert('L')` (libImaging/Convert.c rgb2l, also
 * used for RGBA, which ignores alpha): ITU-R 601-2 weights in 16-bit fixed point, rounded.
 * The float form R*0.299 + G*0.587 + B*0.114 differs from PIL on some colours.
 */
export function rgbToGray(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 3 | 4,
): GrayImage {
  const n = width * height;
  if (pixels.length !== n * channels) {
    throw new RangeError(`expected ${n * channels} bytes for ${width}x${height}x${channels}, got ${pixels.length}`);
  }
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    out[i] = (pixels[j]! * 19595 + pixels[j + 1]! * 38470 + pixels[j + 2]! * 7471 + 0x8000) >>> 16;
  }
  return { width, height, data: out };
}

/** Canvas `ImageData` (always RGBA) -> grey. */
export function imageDataToGray(img: { width: number; height: number; data: Uint8ClampedArray }): GrayImage {
  return rgbToGray(img.data, img.width, img.height, 4);
}
