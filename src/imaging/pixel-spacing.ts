import type { DecodedImage, SpacingBasis } from './types';

/** The spacing attributes as read from a DICOM header: [row, column] in mm, when present and positive. */
export interface SpacingAttributes {
  /** Pixel Spacing (0028,0030). */
  pixelSpacing?: [number, number];
  /** Imager Pixel Spacing (0018,1164): at the detector's front face. */
  imagerPixelSpacing?: [number, number];
  /** Estimated Radiographic Magnification Factor (0018,1114). */
  magnification?: number;
}

export interface MeasureSpacing {
  /** mm per pixel, [row, column]. */
  spacing: [number, number];
  basis: SpacingBasis;
}

const same = (a: [number, number], b: [number, number]) => Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6;

/**
 * The spacing a length is measured with, and what that length is (DICOM PS3.3 10.7.1.1 and
 * 10.7.1.2, the rules PACS viewers follow): Imager Pixel Spacing is at the detector unless a
 * magnification factor is given to divide it by; a Pixel Spacing that differs from it has been
 * corrected or calibrated; a Pixel Spacing on its own does not say which. Null: measure in pixels.
 */
export function measureSpacing(a: SpacingAttributes): MeasureSpacing | null {
  const ips = a.imagerPixelSpacing;
  const ps = a.pixelSpacing;
  const factor = a.magnification !== undefined && a.magnification > 0 ? a.magnification : undefined;
  if (ips && (!ps || same(ps, ips))) {
    if (factor !== undefined) return { spacing: [ips[0] / factor, ips[1] / factor], basis: { kind: 'magnification-corrected', factor } };
    return { spacing: ips, basis: { kind: 'detector' } };
  }
  if (ps) return { spacing: ps, basis: { kind: ips ? 'calibrated' : 'pixel-spacing' } };
  return null;
}

/** What the viewer's lengths are in: a whole line (the legend), and a few words (a report's sentence). */
function spacingWords(img: Pick<DecodedImage, 'pixelSpacing' | 'spacingBasis'>): { line: string; brief: string } {
  if (!img.pixelSpacing) return { line: 'Lengths in pixels: the file has no pixel spacing.', brief: 'in pixels; the file gives no pixel spacing' };
  const basis = img.spacingBasis ?? { kind: 'pixel-spacing' };
  switch (basis.kind) {
    case 'detector':
      return {
        line: 'Lengths at the detector (Imager Pixel Spacing): not corrected for magnification, so larger than in the patient.',
        brief: 'at the detector, not corrected for magnification',
      };
    case 'magnification-corrected':
      return {
        line: `Lengths in the patient, estimated: Imager Pixel Spacing ÷ the file's magnification factor ${basis.factor}.`,
        brief: `corrected for an estimated magnification of ${basis.factor}`,
      };
    case 'calibrated':
      return { line: 'Lengths from Pixel Spacing, corrected or calibrated (it differs from the Imager Pixel Spacing).', brief: 'from the calibrated pixel spacing' };
    case 'pixel-spacing':
      return {
        line: 'Lengths from Pixel Spacing; the file does not say whether it is corrected for magnification.',
        brief: 'from the pixel spacing; not stated whether corrected for magnification',
      };
  }
}

/** One line saying what the viewer's lengths are in. */
export function describeSpacing(img: Pick<DecodedImage, 'pixelSpacing' | 'spacingBasis'>): string {
  return spacingWords(img).line;
}

/** What the lengths are, in a few words for a report's sentence. */
export function spacingInBrief(img: Pick<DecodedImage, 'pixelSpacing' | 'spacingBasis'>): string {
  return spacingWords(img).brief;
}
