import type { VisionSpec } from '../model/manifest';
import { centerCropOffset, normalizeToTensor } from './crop-normalize';
import { resizeLanczos, shortSideSize } from './resize-lanczos';
import type { ResizePasses } from './resize-simd';
import { checkGrayImage, type GrayImage } from './types';

export type PreprocessSpec = Pick<VisionSpec, 'imageSize' | 'mean' | 'std' | 'channels'>;

export interface Preprocessed {
  /** The imageSize x imageSize uint8 crop the tensor was made from (what PIL's pipeline shows). */
  resized: GrayImage;
  tensor: Float32Array;
  dims: [1, number, number, number];
  /** The image the pipeline started from and the size it was resized to before the crop. */
  sourceSize: { width: number; height: number };
  resizedSize: { width: number; height: number };
  timings: { resizeMs: number; normalizeMs: number; totalMs: number };
}

/**
 * CXR-LLaVA's image preprocessing on an 8-bit grey image: LANCZOS resize of the short side to
 * imageSize, centre crop, x / 255, (x - mean) / std. Pure computation (no DOM, no Node), so it
 * runs in a worker. Only the cropped window of the resize is computed.
 */
export function preprocessGray(gray: GrayImage, spec: PreprocessSpec, passes?: ResizePasses): Preprocessed {
  checkGrayImage(gray);
  const size = spec.imageSize;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bad imageSize ${size}`);
  const t0 = performance.now();

  const target = shortSideSize(gray.width, gray.height, size);
  // long >= short makes the correctly rounded size * long / short >= size, so the crop window
  // always lies inside the resized image and is computed directly as a region of the resize.
  const { left, top } = centerCropOffset(target.width, target.height, size);
  const resized = resizeLanczos(gray, target.width, target.height, { left, top, width: size, height: size }, passes);
  const t1 = performance.now();

  const tensor = normalizeToTensor(resized, spec.mean, spec.std, spec.channels);
  const t2 = performance.now();
  return {
    resized,
    tensor,
    dims: [1, spec.channels, size, size],
    sourceSize: { width: gray.width, height: gray.height },
    resizedSize: target,
    timings: { resizeMs: t1 - t0, normalizeMs: t2 - t1, totalMs: t2 - t0 },
  };
}
