import type { NaturalDataset } from 'dcmjs';
import type { Segment } from '../imaging/measure';
import { isoDate, items, numbers, readNatural, text } from './natural-values';

/**
 * The lengths a presentation state draws on one image, read back as a reader sees them on a prior:
 * each two-point polyline in image pixels is a length (a ruler, whoever drew it), labelled by the
 * text anchored at its middle if any, and the text it writes is listed; and how it presents the
 * image (window, inversion, turn). Any writer's presentation state (PS3.3 C.10.5 Graphic
 * Annotation), not only this app's; what is not a length here (curves, shapes, graphics placed on
 * the display rather than the image) is counted, not drawn, so nothing is drawn where it was not meant.
 *
 * Pure: no DOM, no network.
 */

export interface PresentationLengths {
  sopInstanceUID: string;
  /** Content Label, e.g. "READER_LENGTHS". */
  label: string;
  /** YYYY-MM-DD (Presentation Creation Date); '' when it does not say. */
  date: string;
  /** Content Creator's Name, as a signature reads; '' when none. */
  creator: string;
  /** Each with the text anchored at its middle, when there is one (this app writes its label there). */
  lengths: FiledLength[];
  /** The text it writes on this image, in order. */
  texts: string[];
  /** Graphics on this image that are not lengths in image pixels, left undrawn. */
  notDrawn: number;
  /** How it presents the image: the window for it (null when it gives none), inversion, turn and flip (flipped after turning). */
  view: { window: { center: number; width: number } | null; invert: boolean; rotation: number; hflip: boolean };
}

export type FiledLength = Segment & { label?: string };

/** Presentation state storage classes: grayscale, colour, pseudo-colour, blending, … (PS3.4 B.5). */
const PS_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.11.';

/** Reads a presentation state's graphics on the image `sopInstanceUID`; throws with a reason when the file is no presentation state. */
export function readPresentationLengths(bytes: ArrayBuffer, sopInstanceUID: string): PresentationLengths {
  const d = readNatural(bytes, 'The presentation state');
  const sopClass = text(d.SOPClassUID);
  if (!sopClass.startsWith(PS_CLASS_PREFIX)) throw new Error(`Not a presentation state (SOP Class ${sopClass || 'missing'}).`);
  const lengths: FiledLength[] = [];
  const texts: string[] = [];
  const anchored: { x: number; y: number; value: string }[] = [];
  let notDrawn = 0;
  // An annotation (or a VOI item) without a Referenced Image Sequence applies to every image the state presents.
  const onImage = (a: NaturalDataset) => {
    const refs = items(a.ReferencedImageSequence);
    return refs.length === 0 ? presents(d, sopInstanceUID) : refs.some((r) => text(r.ReferencedSOPInstanceUID) === sopInstanceUID);
  };
  for (const annotation of items(d.GraphicAnnotationSequence).filter(onImage)) {
    for (const g of items(annotation.GraphicObjectSequence)) {
      const points = numbers(g.GraphicData);
      const ruler = text(g.GraphicType).toUpperCase() === 'POLYLINE' && text(g.GraphicAnnotationUnits).toUpperCase() === 'PIXEL' && points.length === 4;
      if (ruler && points.every(Number.isFinite)) lengths.push({ a: { x: points[0]!, y: points[1]! }, b: { x: points[2]!, y: points[3]! } });
      else notDrawn++;
    }
    for (const t of items(annotation.TextObjectSequence)) {
      const value = text(t.UnformattedTextValue).replace(/\s*\r?\n\s*/g, ' ');
      if (!value) continue;
      texts.push(value);
      const [x, y] = numbers(t.AnchorPoint);
      if (text(t.AnchorPointAnnotationUnits).toUpperCase() === 'PIXEL' && Number.isFinite(x) && Number.isFinite(y)) anchored.push({ x: x!, y: y!, value });
    }
  }
  // A text anchored at a length's middle (within half a pixel) is its label.
  for (const l of lengths) {
    const label = anchored.find((t) => Math.abs(t.x - (l.a.x + l.b.x) / 2) <= 0.5 && Math.abs(t.y - (l.a.y + l.b.y) / 2) <= 0.5);
    if (label) l.label = label.value;
  }
  const voi = items(d.SoftcopyVOILUTSequence).find(onImage);
  const [center] = numbers(voi?.WindowCenter);
  const [width] = numbers(voi?.WindowWidth);
  const rotation = numbers(d.ImageRotation)[0] ?? 0;
  return {
    sopInstanceUID: text(d.SOPInstanceUID),
    label: text(d.ContentLabel),
    date: isoDate(text(d.PresentationCreationDate)),
    creator: text(d.ContentCreatorName),
    lengths,
    texts,
    notDrawn,
    view: {
      window: Number.isFinite(center) && Number.isFinite(width) && width! > 0 ? { center: center!, width: width! } : null,
      invert: text(d.PresentationLUTShape).toUpperCase() === 'INVERSE',
      rotation: [0, 90, 180, 270].includes(rotation) ? rotation : 0,
      hflip: text(d.ImageHorizontalFlip).toUpperCase() === 'Y',
    },
  };
}

/** Whether the state's Referenced Series Sequence lists the image. */
function presents(d: NaturalDataset, sopInstanceUID: string): boolean {
  return items(d.ReferencedSeriesSequence).some((s) => items(s.ReferencedImageSequence).some((r) => text(r.ReferencedSOPInstanceUID) === sopInstanceUID));
}
