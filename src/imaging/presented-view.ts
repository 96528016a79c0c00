import { defaultVoiOf } from './default-voi';
import type { DecodedImage } from './types';

/**
 * How the viewer shows an image, in terms that outlive the viewer library: the window (DICOM
 * centre and width, PS3.3 C.11.2.1.2), the inversion and the turn. Pure: the store and the
 * presentation state read it without loading Cornerstone.
 */

export interface Window {
  center: number;
  width: number;
}

/** The window the viewer opens with, in DICOM terms (see default-voi.ts). */
export function initialWindow(img: DecodedImage): Window {
  const voi = defaultVoiOf(img);
  if (voi.kind === 'window') return { center: voi.center, width: voi.width };
  if (voi.kind === 'identity') return { center: 128, width: 256 };
  // A VOI LUT: show its input range linearly (the viewer does not draw non-linear LUTs).
  const lut = img.voiLut!;
  return { center: lut.firstMapped + lut.data.length / 2, width: lut.data.length };
}

/**
 * How the image is shown, as a presentation state carries it: the window in DICOM terms, low values
 * white or not, and the screen directions of the image's +x (along a row) and +y (down a column).
 */
export interface PresentedView {
  window: Window;
  invert: boolean;
  axes: { x: { x: number; y: number }; y: { x: number; y: number } };
}

/** How the viewer opens an image: its default window, inverted if MONOCHROME1, upright. */
export function openingView(img: DecodedImage): PresentedView {
  return { window: initialWindow(img), invert: img.invert, axes: { x: { x: 1, y: 0 }, y: { x: 0, y: 1 } } };
}
