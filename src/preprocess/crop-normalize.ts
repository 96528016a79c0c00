import { checkGrayImage, type GrayImage } from './types';

/**
 * Top-left corner of a centred `size` x `size` window: `(dim - size) // 2` with Python's floor
 * division, so a negative offset (image smaller than the window) rounds the same way as the
 * reference's zero padding in transformers' center_crop.
 */
export function centerCropOffset(width: number, height: number, size: number): { left: number; top: number } {
  return { left: Math.floor((width - size) / 2), top: Math.floor((height - size) / 2) };
}

/** Centre crop; where the image is smaller than the window the rest is 0, as transformers pads. */
export function centerCrop(img: GrayImage, size: number): GrayImage {
  checkGrayImage(img);
  const { left, top } = centerCropOffset(img.width, img.height, size);
  const out = new Uint8Array(size * size);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(size, img.width - left);
  for (let y = Math.max(0, -top), y1 = Math.min(size, img.height - top); y < y1; y++) {
    const s = (y + top) * img.width + left;
    out.set(img.data.subarray(s + x0, s + x1), y * size + x0);
  }
  return { width: size, height: size, data: out };
}

/**
 * The 256 values a grey level can become for one channel, computed as the reference does
 * (models/reference.py, i.e. transformers' rescale + normalize): `x * (1/255)` in double rounded
 * to float32, then `(x - mean) / std` in float32. Math.fround after each step is exact float32
 * arithmetic, so the tensor is bit-identical to the reference's.
 */
export function normalizeTable(mean: number, std: number): Float32Array {
  if (!(std !== 0 && Number.isFinite(std) && Number.isFinite(mean))) throw new RangeError(`bad mean/std ${mean}/${std}`);
  const m = Math.fround(mean);
  const s = Math.fround(std);
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    const x = Math.fround(v * (1 / 255));
    table[v] = Math.fround(x - m) / s;
  }
  return table;
}

/**
 * Grey image -> float32 NCHW tensor [1, channels, h, w]. A grey model has one channel; for more
 * the same grey plane is written once per channel with that channel's mean/std.
 */
export function normalizeToTensor(img: GrayImage, mean: readonly number[], std: readonly number[], channels = mean.length): Float32Array {
  checkGrayImage(img);
  if (mean.length !== channels || std.length !== channels || channels < 1) {
    throw new RangeError(`mean/std need ${channels} values each, got ${mean.length}/${std.length}`);
  }
  const plane = img.width * img.height;
  const out = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    const table = normalizeTable(mean[c]!, std[c]!);
    const base = c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = table[img.data[i]!]!;
  }
  return out;
}
