import { formatLength, lengthOf, type ImagePoint, type Segment, type WidthRole } from './measure';
import { metaValue } from './model-fit';
import type { DecodedImage } from './types';

export type { WidthRole };

interface Width {
  a: ImagePoint;
  b: ImagePoint;
}

type Spacing = Pick<DecodedImage, 'pixelSpacing'>;

/** The file's View Position (PA, AP, LATERAL...), upper case; null when it does not say (PNG, JPEG). */
export function viewPositionOf(img: Pick<DecodedImage, 'meta'>): string | null {
  return metaValue(img.meta, 'viewPosition') || null;
}

/**
 * The cardiothoracic ratio: the heart's widest transverse diameter over the chest's widest inner
 * diameter, as drawn by the reader. A ratio of two lengths on one image, so it holds whatever the
 * magnification or the pixel spacing (rows and columns spaced differently are measured in mm).
 */
export function cardiothoracicRatio(img: Spacing, heart: Width, chest: Width): number {
  return lengthOf(heart.a, heart.b, img).value / lengthOf(chest.a, chest.b, img).value;
}

/** The ratio tool's two widths (the last of each), when both are drawn. */
export function ratioPair<S extends Segment>(segments: readonly S[]): { heart: S; chest: S } | null {
  const heart = segments.findLast((s) => s.role === 'heart');
  const chest = segments.findLast((s) => s.role === 'chest');
  return heart && chest ? { heart, chest } : null;
}

/** "0.48": two decimals, as the ratio is reported. */
export function formatRatio(r: number): string {
  return r.toFixed(2);
}

/**
 * Why the ratio may mislead on this view: on an AP film the heart lies far from the detector and
 * is magnified, so the ratio reads higher than on a PA (the 0.5 rule is for PA films); on a lateral
 * there is no ratio to take. Null for a PA view, or a file that does not say.
 */
export function ratioCaveat(viewPosition: string | null): string | null {
  const view = viewPosition?.trim().toUpperCase() ?? '';
  if (view === 'AP') return 'AP view: the heart is magnified, so the ratio reads higher than on a PA film.';
  if (['LATERAL', 'LAT', 'LL', 'RL'].includes(view)) return 'Lateral view: the cardiothoracic ratio is taken on a frontal film.';
  return null;
}

/** The ratio as a sentence for the report, with both widths and the view's caveat. */
export function ratioSentence(img: Spacing & Pick<DecodedImage, 'meta'>, heart: Width, chest: Width): string {
  const r = formatRatio(cardiothoracicRatio(img, heart, chest));
  const widths = `heart ${formatLength(lengthOf(heart.a, heart.b, img))}, chest ${formatLength(lengthOf(chest.a, chest.b, img))}`;
  const caveat = ratioCaveat(viewPositionOf(img));
  return `Cardiothoracic ratio ${r} (${widths}, measured on the image).${caveat ? ` ${caveat}` : ''}`;
}
