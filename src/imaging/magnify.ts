import type { ImagePoint } from './measure';
import type { Window } from './presented-view';
import type { DecodedImage } from './types';

/**
 * The magnifying glass: a round lens over the image that shows what is under it larger, drawn from
 * the decoded pixels themselves, not from the screen. Fitted to the window, a 3000-pixel radiograph
 * is drawn at a fifth of its size, so enlarging the screen would only enlarge its blur or moiré; the lens
 * shows at least every pixel of the file (a thin pneumothorax line, a line's tip), and twice the
 * view's size where the view already does. Same window and inversion as the view: Cornerstone's
 * linear VOI, ((x - c') / w' + 0.5) * 255 with c' = c - 0.5, w' = w - 1 (cornerstone-viewport.ts).
 */

/** How the view maps the canvas to the image: image point = origin + cx * ex + cy * ey (CSS pixels). */
export interface LensView {
  origin: ImagePoint;
  ex: ImagePoint;
  ey: ImagePoint;
  window: Window;
  invert: boolean;
}

/** How much larger than the view the lens draws: twice, or more where it takes that to show every pixel. */
export const LENS_MIN_FACTOR = 2;
/** Never more than this (a tiny image zoomed out). */
export const LENS_MAX_FACTOR = 16;

/** How much more the reader may ask of the lens (the wheel while it is held): up to this. */
export const LENS_MAX_POWER = 4;

/**
 * Lens CSS pixels per view CSS pixel: at least LENS_MIN_FACTOR, and at least one screen pixel per
 * image pixel; times `power` (1 to LENS_MAX_POWER), the reader's own.
 */
export function lensFactor(view: Pick<LensView, 'ex'>, devicePixelRatio = 1, power = 1): number {
  // Image pixels per canvas CSS pixel along a row; one image pixel per device pixel needs this much.
  const perCss = Math.hypot(view.ex.x, view.ex.y);
  const p = Math.min(LENS_MAX_POWER, Math.max(1, power));
  return Math.min(LENS_MAX_FACTOR * LENS_MAX_POWER, Math.max(LENS_MIN_FACTOR, Math.min(LENS_MAX_FACTOR, perCss / devicePixelRatio)) * p);
}

/**
 * The lens's pixels (RGBA, `size` × `size` device pixels) around canvas point `at` (CSS pixels):
 * each the nearest image pixel, windowed as the view windows it; outside the image, black.
 * `power`: the reader's own magnification on top (lensFactor).
 */
export function lensPixels(img: DecodedImage, view: LensView, at: { x: number; y: number }, size: number, devicePixelRatio = 1, power = 1): Uint8ClampedArray<ArrayBuffer> {
  const factor = lensFactor(view, devicePixelRatio, power);
  const out = new Uint8ClampedArray(size * size * 4);
  const { origin, ex, ey } = view;
  // Cornerstone's linear VOI in DICOM terms, as one scale and offset on the modality value.
  const c = view.window.center - 0.5;
  const w = Math.max(view.window.width - 1, 1e-3);
  const scale = (255 / w) * img.slope;
  const offset = ((img.intercept - c) / w + 0.5) * 255;
  const { width, height, pixels } = img;
  // Canvas CSS pixels per lens device pixel.
  const step = 1 / (factor * devicePixelRatio);
  for (let j = 0; j < size; j++) {
    const cy = at.y + (j + 0.5 - size / 2) * step;
    for (let i = 0; i < size; i++) {
      const cx = at.x + (i + 0.5 - size / 2) * step;
      const x = Math.floor(origin.x + cx * ex.x + cy * ey.x);
      const y = Math.floor(origin.y + cx * ex.y + cy * ey.y);
      const o = (j * size + i) * 4;
      let v = 0;
      if (x >= 0 && y >= 0 && x < width && y < height) {
        v = Math.min(255, Math.max(0, pixels[y * width + x]! * scale + offset));
        if (view.invert) v = 255 - v;
      }
      out[o] = out[o + 1] = out[o + 2] = v;
      out[o + 3] = 255;
    }
  }
  return out;
}
