import { cardiothoracicRatio, ratioCaveat, ratioPair, viewPositionOf } from '../imaging/cardiothoracic';
import { lengthOf, type ImagePoint, type Segment, type WidthRole } from '../imaging/measure';
import { spacingInBrief } from '../imaging/pixel-spacing';
import type { DecodedImage } from '../imaging/types';

/**
 * The reader's measurements on the open image, as the exports carry them as data (the DICOM SR's
 * NUM items, the FHIR report's Observations) beside the report text. They are the reader's own,
 * not the model's: every export says so.
 *
 * Values are rounded as the viewer and the report's sentence show them (0.1 mm, two decimals for
 * the ratio), so the data and the words never disagree.
 */

export interface MeasuredLength {
  a: ImagePoint;
  b: ImagePoint;
  /** In mm, to 0.1 mm. */
  mm: number;
  role?: WidthRole;
}

export interface ReportMeasurements {
  /** Lengths in mm. Lengths on an image without a pixel spacing are in pixels and left out (see pixelLengths). */
  lengths: MeasuredLength[];
  /** The cardiothoracic ratio, when both widths are drawn; `from`: their places in `lengths`, when they are in mm. */
  ratio: { value: number; from: [number, number] | null } | null;
  /** What the lengths are in: "at the detector, not corrected for magnification" (pixel-spacing.ts). */
  basis: string;
  /** Why the ratio may mislead on this view (AP, lateral), or null. */
  ratioCaveat: string | null;
  /** How many lengths were drawn in pixels (no pixel spacing), which no export carries as data. */
  pixelLengths: number;
}

/** SNOMED CT and UCUM codes the SR and FHIR both use. */
export const CODES = {
  length: { value: '410668003', scheme: 'SCT', meaning: 'Length' },
  findingSite: { value: '363698007', scheme: 'SCT', meaning: 'Finding Site' },
  heart: { value: '80891009', scheme: 'SCT', meaning: 'Heart structure' },
  thorax: { value: '51185008', scheme: 'SCT', meaning: 'Thoracic structure' },
  mm: { value: 'mm', scheme: 'UCUM', meaning: 'millimeter' },
  ratio: { value: '{ratio}', scheme: 'UCUM', meaning: 'ratio' },
} as const;

/** Where a width drawn with the ratio tool lies. */
export const SITE_OF: Record<WidthRole, (typeof CODES)['heart' | 'thorax']> = { heart: CODES.heart, chest: CODES.thorax };

const round = (v: number, places: number) => Number(v.toFixed(places));

/** The measurements on `image`, or null when the reader drew none. */
export function reportMeasurements(image: Pick<DecodedImage, 'pixelSpacing' | 'spacingBasis' | 'meta'>, segments: readonly Segment[]): ReportMeasurements | null {
  if (!segments.length) return null;
  const inMm = segments.filter((s) => lengthOf(s.a, s.b, image).unit === 'mm');
  const lengths = inMm.map((s) => ({ a: s.a, b: s.b, mm: round(lengthOf(s.a, s.b, image).value, 1), ...(s.role ? { role: s.role } : {}) }));
  const pair = ratioPair(segments);
  const ratio = pair
    ? { value: round(cardiothoracicRatio(image, pair.heart, pair.chest), 2), from: inMm.includes(pair.heart) ? ([inMm.indexOf(pair.heart), inMm.indexOf(pair.chest)] as [number, number]) : null }
    : null;
  return {
    lengths,
    ratio,
    basis: spacingInBrief(image),
    ratioCaveat: ratio ? ratioCaveat(viewPositionOf(image)) : null,
    pixelLengths: segments.length - inMm.length,
  };
}

/** "2 lengths and the cardiothoracic ratio", "1 length": what an export carries as data; '' for nothing. */
export function describeMeasurements(m: ReportMeasurements | null | undefined): string {
  if (!m) return '';
  const n = m.lengths.length;
  const parts = [n ? `${n} ${n === 1 ? 'length' : 'lengths'}` : '', m.ratio ? 'the cardiothoracic ratio' : ''].filter(Boolean);
  return parts.join(' and ');
}

/** What a width drawn with the ratio tool is called in the exports. */
export const WIDTH_NAME: Record<WidthRole, string> = { heart: 'Heart width', chest: 'Chest width' };

/** Each measurement in words, as the exports list them: "Heart width 131.0 mm", "Cardiothoracic ratio 0.48". */
export function measurementLines(m: ReportMeasurements): string[] {
  return [
    ...m.lengths.map((l) => `${l.role ? WIDTH_NAME[l.role] : 'Length'} ${l.mm.toFixed(1)} mm`),
    ...(m.ratio ? [`Cardiothoracic ratio ${m.ratio.value.toFixed(2)}${m.ratioCaveat ? ` (${m.ratioCaveat})` : ''}`] : []),
  ];
}

/** Whose the measurements are and what they are in, heading their list in an export. */
export function measurementsHeading(m: ReportMeasurements): string {
  return `Measured by the reader on the image (${m.basis})`;
}

/** Why lengths drawn in pixels are not in an export's data. */
export function pixelLengthsNote(m: ReportMeasurements): string | null {
  if (!m.pixelLengths) return null;
  const n = m.pixelLengths;
  return `${n} ${n === 1 ? 'length was' : 'lengths were'} measured in pixels (the image has no pixel spacing) and ${n === 1 ? 'is' : 'are'} left out of the structured measurements.`;
}
