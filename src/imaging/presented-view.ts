import { defaultVoiOf } from './default-voi';
import type { DecodedImage } from './types';

/**
 * How the viewer shows an image, in terms that outlive the viewer library: the window (DICOM
 * centre and width, PS3.3 C.11.2.1.2), the inversion and the turn, and a presentation state's
 * rotation and flip in the same terms. Pure: the store and the presentation state read it without
 * loading Cornerstone.
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

/** [a b; c d], acting on column vectors (x, y), y down: its columns are where the image's x and y axes point. */
export type TurnMatrix = [number, number, number, number];
const multiply = (p: TurnMatrix, q: TurnMatrix): TurnMatrix => [p[0] * q[0] + p[1] * q[2], p[0] * q[1] + p[1] * q[3], p[2] * q[0] + p[3] * q[2], p[2] * q[1] + p[3] * q[3]];
/** Clockwise on the screen (y points down). */
const ROTATIONS: Record<number, TurnMatrix> = { 0: [1, 0, 0, 1], 90: [0, -1, 1, 0], 180: [-1, 0, 0, -1], 270: [0, 1, -1, 0] };
const H_FLIP: TurnMatrix = [-1, 0, 0, 1];

/**
 * The Image Rotation (clockwise) and Image Horizontal Flip of a presentation state that put the
 * image's axes where the viewer showed them. The flip comes after the rotation (PS3.3 C.10.6), the
 * order dcmtk renders and dciodvfy checks (lengths-presentation-state.test.ts renders all eight);
 * the viewer may compose its own the other way, so this works from where the axes end up.
 */
export function spatialTransformOf(axes: PresentedView['axes']): { rotation: number; hflip: boolean } {
  const unit = (v: { x: number; y: number }) => (Math.abs(v.x) >= Math.abs(v.y) ? [Math.sign(v.x), 0] : [0, Math.sign(v.y)]);
  const [ax, cx] = unit(axes.x);
  const [ay, cy] = unit(axes.y);
  const shown: TurnMatrix = [ax!, ay!, cx!, cy!];
  for (const hflip of [false, true]) {
    for (const rotation of [0, 90, 180, 270]) {
      if (turnMatrix(rotation, hflip).every((v, i) => v === shown[i])) return { rotation, hflip };
    }
  }
  return { rotation: 0, hflip: false };
}

/** A presentation state's rotation (clockwise) then horizontal flip, as a matrix. */
export function turnMatrix(rotation: number, hflip: boolean): TurnMatrix {
  const r = ROTATIONS[((rotation % 360) + 360) % 360] ?? ROTATIONS[0]!;
  return hflip ? multiply(H_FLIP, r) : r;
}

/** Where a presentation state's rotation then flip puts the image's axes on screen. */
export function axesOf(rotation: number, hflip: boolean): PresentedView['axes'] {
  const [a, b, c, d] = turnMatrix(rotation, hflip);
  return { x: { x: a, y: c }, y: { x: b, y: d } };
}
