import type { GrayImage } from '../preprocess/types';
import type { DecodedImage } from './types';

/**
 * The display window a viewer opens an image with, in DICOM terms (PS3.3 C.11.2.1.2):
 * - 8-bit grey PNG/JPEG (and colour ones, already grey), and 8-bit DICOM with no rescale and no
 *   VOI: none, the values are shown as stored. So for those the model sees exactly PIL's
 *   convert('L'), as in the reference implementation.
 * - otherwise the first Window Center/Width pair in the file (pairs with a width below 1 are
 *   dropped when the file is read), else the first VOI LUT Sequence item,
 * - else the full range of the image's modality values: min maps to 0, max to 255.
 */
export type DefaultVoi =
  | { kind: 'identity' }
  | { kind: 'window'; center: number; width: number; fn: DecodedImage['voiLutFunction']; source: 'file' | 'full-range' }
  | { kind: 'lut' };

export function defaultVoiOf(img: DecodedImage): DefaultVoi {
  if (img.identity8) return { kind: 'identity' };
  const first = img.windows[0];
  if (first) return { kind: 'window', center: first.center, width: first.width, fn: img.voiLutFunction, source: 'file' };
  if (img.voiLut) return { kind: 'lut' };
  const { lo, hi } = modalityRange(img);
  // With c = (lo + hi + 1) / 2 and w = hi - lo + 1 the linear window is (x - lo) / (hi - lo) * 255.
  return { kind: 'window', center: (lo + hi + 1) / 2, width: hi - lo + 1, fn: 'LINEAR', source: 'full-range' };
}

/** Smallest and largest modality value (stored * slope + intercept). */
export function modalityRange(img: DecodedImage): { lo: number; hi: number } {
  const a = img.minStored * img.slope + img.intercept;
  const b = img.maxStored * img.slope + img.intercept;
  return { lo: Math.min(a, b), hi: Math.max(a, b) };
}

/** DICOM's window functions, from modality value to 0..255 (unrounded). */
export function windowValue(x: number, center: number, width: number, fn: DecodedImage['voiLutFunction']): number {
  if (fn === 'SIGMOID') return 255 / (1 + Math.exp((-4 * (x - center)) / width));
  if (fn === 'LINEAR_EXACT') {
    if (x <= center - width / 2) return 0;
    if (x > center + width / 2) return 255;
    return ((x - center) / width + 0.5) * 255;
  }
  const lo = center - 0.5 - (width - 1) / 2;
  const hi = center - 0.5 + (width - 1) / 2;
  if (x <= lo) return 0;
  if (x > hi) return 255;
  return ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
}

/**
 * The default view as the model's input: the decoded image -> 8-bit grey by the modality LUT
 * (rescale slope/intercept), the default VOI above, MONOCHROME1 inversion, rounded half up.
 * Documented in README ("Imaging"). Computed through a table over the stored-value range, so a
 * 3000x3000 16-bit image costs one lookup per pixel.
 */
export function defaultVoiImage(img: DecodedImage): GrayImage {
  const voi = defaultVoiOf(img);
  const lo = img.minStored;
  const table = new Uint8Array(img.maxStored - lo + 1);
  for (let s = lo; s <= img.maxStored; s++) table[s - lo] = mapStored(img, voi, s);
  const data = new Uint8Array(img.width * img.height);
  const px = img.pixels;
  for (let i = 0; i < data.length; i++) data[i] = table[px[i]! - lo]!;
  return { width: img.width, height: img.height, data };
}

function mapStored(img: DecodedImage, voi: DefaultVoi, stored: number): number {
  let y: number;
  if (voi.kind === 'identity') {
    y = stored;
  } else {
    const x = stored * img.slope + img.intercept;
    if (voi.kind === 'window') {
      if (voi.source === 'full-range') {
        // The same mapping as the window (lo+hi+1)/2, hi-lo+1, written so that it rounds the same
        // way as the independent check in e2e/fixtures/fixtures.py. A flat image is black.
        const { lo, hi } = modalityRange(img);
        y = hi > lo ? ((x - lo) * 255) / (hi - lo) : 0;
      } else {
        y = windowValue(x, voi.center, voi.width, voi.fn);
      }
    } else {
      const lut = img.voiLut!;
      const i = Math.min(lut.data.length - 1, Math.max(0, Math.round(x) - lut.firstMapped));
      y = (lut.data[i]! * 255) / (2 ** lut.bits - 1);
    }
  }
  y = Math.min(255, Math.max(0, Math.floor(y + 0.5)));
  return img.invert ? 255 - y : y;
}
