import { spacingInBrief } from './pixel-spacing';
import type { DecodedImage } from './types';

/** A point on the image in pixel coordinates: x along columns, y along rows (0,0 is the top left corner). */
export interface ImagePoint {
  x: number;
  y: number;
}

/** What a length drawn with the cardiothoracic ratio tool measures. */
export type WidthRole = 'heart' | 'chest';

/** A length the reader drew on the image: its two ends, in image pixel coordinates. */
export interface Segment {
  a: ImagePoint;
  b: ImagePoint;
  /** Drawn with the cardiothoracic ratio tool: the heart's width or the chest's. */
  role?: WidthRole;
}

/** Whether two segments join the same two points (within half a pixel), whichever end is first. */
export function sameSegment(p: Segment, q: Segment): boolean {
  const near = (u: ImagePoint, v: ImagePoint) => Math.abs(u.x - v.x) <= 0.5 && Math.abs(u.y - v.y) <= 0.5;
  return (near(p.a, q.a) && near(p.b, q.b)) || (near(p.a, q.b) && near(p.b, q.a));
}

export interface Length {
  value: number;
  unit: 'mm' | 'px';
}

/**
 * The length of the segment a–b: in mm when the image has a pixel spacing (rows and columns may
 * be spaced differently: DICOM gives [row spacing, column spacing]), else in pixels.
 */
export function lengthOf(a: ImagePoint, b: ImagePoint, img: Pick<DecodedImage, 'pixelSpacing'>): Length {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const s = img.pixelSpacing;
  if (!s) return { value: Math.hypot(dx, dy), unit: 'px' };
  return { value: Math.hypot(dx * s[1], dy * s[0]), unit: 'mm' };
}

/** "42.3 mm", "305 px": a tenth of a millimetre, as lengths are reported; whole pixels. */
export function formatLength(l: Length): string {
  return l.unit === 'mm' ? `${l.value.toFixed(1)} mm` : `${Math.round(l.value)} px`;
}

/**
 * The lengths as a sentence for the report: "Lengths measured on the image: 42.3 mm and 18.0 mm
 * (at the detector, not corrected for magnification)." The reader's own measurement, said as such.
 */
export function lengthsSentence(img: Pick<DecodedImage, 'pixelSpacing' | 'spacingBasis'>, segments: readonly { a: ImagePoint; b: ImagePoint }[]): string {
  const values = segments.map((s) => formatLength(lengthOf(s.a, s.b, img)));
  const list = values.length > 1 ? `${values.slice(0, -1).join(', ')} and ${values.at(-1)}` : values[0];
  return `${values.length > 1 ? 'Lengths' : 'Length'} measured on the image: ${list} (${spacingInBrief(img)}).`;
}
