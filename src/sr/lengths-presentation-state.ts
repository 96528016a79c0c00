import dcmjs, { type NaturalDataset } from 'dcmjs';
import { cardiothoracicRatio, formatRatio, ratioPair } from '../imaging/cardiothoracic';
import { formatLength, lengthOf, type Segment } from '../imaging/measure';
import { spatialTransformOf, turnMatrix, type PresentedView } from '../imaging/presented-view';
import type { DecodedImage } from '../imaging/types';
import { WIDTH_NAME } from '../report/structured-measurements';
import { APP_NAME, dicomDate, dicomTime, part10, patientAndStudyOf } from './dicom-object';
import type { SrSource } from './source';

/**
 * The reader's lengths as a Grayscale Softcopy Presentation State (PS3.3 A.33.1), filed beside the
 * report SR: the object a PACS viewer draws on the image. The SR carries the measurements as data;
 * most viewers show an SR as text and draw only a presentation state's graphics.
 *
 * It presents the image as the reader had it when sending: the window, the inversion, the rotation
 * and flips, the whole image fitted. Each length is a polyline in image pixels (0,0 the top left
 * corner of the top left pixel, as the viewer and the SR keep them) labelled as the viewer labels
 * it; the cardiothoracic ratio is a line of text in the top left corner of the display.
 *
 * Written with dcmjs. Pure: no DOM, no network.
 */

export const GRAYSCALE_SOFTCOPY_PS = '1.2.840.10008.5.1.4.1.1.11.1';
const LAYER = 'LENGTHS';

export interface LengthsPresentationStateInput {
  source: SrSource;
  image: Pick<DecodedImage, 'width' | 'height' | 'slope' | 'intercept' | 'pixelSpacing' | 'meta'>;
  segments: readonly Segment[];
  /** How the viewer showed it when sending (a MONOCHROME1 image shown as the file says is inverted); only the axes' signs matter. */
  view: PresentedView;
  softwareVersion: string;
  now: Date;
  /** Fixed UIDs (tests); new ones otherwise. */
  uids?: { series: string; instance: string };
}

export interface LengthsPresentationState {
  bytes: Uint8Array;
  seriesInstanceUID: string;
  sopInstanceUID: string;
}

export function buildLengthsPresentationState(input: LengthsPresentationStateInput): LengthsPresentationState {
  const { source, image, segments, view, now } = input;
  if (!segments.length) throw new Error('No lengths are drawn on the image.');
  const series = input.uids?.series ?? dcmjs.data.DicomMetaDictionary.uid();
  const instance = input.uids?.instance ?? dcmjs.data.DicomMetaDictionary.uid();
  const imageRef = [{ ReferencedSOPClassUID: source.SOPClassUID, ReferencedSOPInstanceUID: source.SOPInstanceUID }];
  const { rotation, hflip } = spatialTransformOf(view.axes);
  const pair = ratioPair(segments);

  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: GRAYSCALE_SOFTCOPY_PS,
    SOPInstanceUID: instance,
    InstanceCreationDate: dicomDate(now),
    InstanceCreationTime: dicomTime(now),
    ...patientAndStudyOf(source),
    // General Series (C.7.3.1) and Presentation Series (C.11.9): a new series in the image's study.
    Modality: 'PR',
    SeriesInstanceUID: series,
    SeriesNumber: '9002',
    SeriesDescription: 'Lengths drawn by the reader',
    // Type 2C (a paired body part): a chest is not one, but validators cannot tell, so it is present and empty.
    Laterality: '',
    Manufacturer: APP_NAME,
    SoftwareVersions: input.softwareVersion,
    // Presentation State Identification (C.11.10).
    InstanceNumber: '1',
    ContentLabel: 'READER_LENGTHS',
    ContentDescription: `Lengths drawn by the reader in ${APP_NAME}`,
    ContentCreatorName: '',
    PresentationCreationDate: dicomDate(now),
    PresentationCreationTime: dicomTime(now),
    // Presentation State Relationship (C.11.11).
    ReferencedSeriesSequence: [{ SeriesInstanceUID: source.SeriesInstanceUID, ReferencedImageSequence: imageRef }],
    // Displayed Area (C.10.4): the whole image, fitted to the display, its pixels' aspect kept.
    DisplayedAreaSelectionSequence: [
      {
        ...displayedCorners(rotation, hflip, image.width, image.height),
        PresentationSizeMode: 'SCALE TO FIT',
        PresentationPixelAspectRatio: aspectRatio(image.pixelSpacing),
      },
    ],
    // Graphic Annotation (C.10.5) on one layer (C.10.7).
    GraphicAnnotationSequence: [
      {
        ReferencedImageSequence: imageRef,
        GraphicLayer: LAYER,
        GraphicObjectSequence: segments.map((s) => ({
          GraphicAnnotationUnits: 'PIXEL',
          GraphicDimensions: 2,
          NumberOfGraphicPoints: 2,
          GraphicData: [s.a.x, s.a.y, s.b.x, s.b.y],
          GraphicType: 'POLYLINE',
        })),
        TextObjectSequence: [
          ...segments.map((s) => ({
            AnchorPointAnnotationUnits: 'PIXEL',
            UnformattedTextValue: labelOf(s, image),
            AnchorPoint: [(s.a.x + s.b.x) / 2, (s.a.y + s.b.y) / 2],
            AnchorPointVisibility: 'N',
          })),
          ...(pair
            ? [
                {
                  BoundingBoxAnnotationUnits: 'DISPLAY',
                  UnformattedTextValue: `Cardiothoracic ratio ${formatRatio(cardiothoracicRatio(image, pair.heart, pair.chest))}`,
                  BoundingBoxTopLeftHandCorner: [0.02, 0.02],
                  BoundingBoxBottomRightHandCorner: [0.5, 0.07],
                  BoundingBoxTextHorizontalJustification: 'LEFT',
                },
              ]
            : []),
        ],
      },
    ],
    GraphicLayerSequence: [
      {
        GraphicLayer: LAYER,
        GraphicLayerOrder: 1,
        // Yellow where the viewer shows colour, white where only grey.
        GraphicLayerRecommendedDisplayGrayscaleValue: 0xffff,
        GraphicLayerRecommendedDisplayCIELabValue: cieLab(97, -22, 94),
        GraphicLayerDescription: "The reader's lengths",
      },
    ],
    // Spatial Transformation (C.10.6): the rotation and flips the reader had.
    ImageRotation: rotation,
    ImageHorizontalFlip: hflip ? 'Y' : 'N',
    // Modality LUT (C.11.1): the image's rescale, so the window below means what it meant in the viewer.
    RescaleIntercept: ds(image.intercept),
    RescaleSlope: ds(image.slope),
    RescaleType: 'US',
    // Softcopy VOI LUT (C.11.8): the window the reader had.
    SoftcopyVOILUTSequence: [
      {
        ReferencedImageSequence: imageRef,
        WindowCenter: ds(view.window.center),
        WindowWidth: ds(Math.max(1, view.window.width)),
        WindowCenterWidthExplanation: "The reader's window",
      },
    ],
    // Softcopy Presentation LUT (C.11.6): the Photometric Interpretation is not applied under a
    // presentation state, so an image shown with low values white is INVERSE (MONOCHROME1 too).
    PresentationLUTShape: view.invert ? 'INVERSE' : 'IDENTITY',
  };
  return { bytes: part10(dataset), seriesInstanceUID: series, sopInstanceUID: instance };
}

/** "Heart width 131.0 mm", "42.3 mm", "380 px": what the viewer writes beside each length. */
function labelOf(s: Segment, image: Pick<DecodedImage, 'pixelSpacing'>): string {
  const length = formatLength(lengthOf(s.a, s.b, image));
  return s.role ? `${WIDTH_NAME[s.role]} ${length}` : length;
}

/**
 * The whole image as the displayed area: its corners (column, row of the corner pixels, from 1) that
 * land top left and bottom right on the display once turned and flipped (PS3.3 C.10.4: the corners
 * are given after the spatial transformation, as dciodvfy checks).
 */
function displayedCorners(rotation: number, hflip: boolean, width: number, height: number) {
  const m = turnMatrix(rotation, hflip);
  const corners = [
    [1, 1],
    [width, 1],
    [1, height],
    [width, height],
  ].map(([c, r]) => {
    const [dx, dy] = [c! - (width + 1) / 2, r! - (height + 1) / 2];
    return { at: [c!, r!], onScreen: m[0] * dx + m[1] * dy + (m[2] * dx + m[3] * dy) };
  });
  corners.sort((p, q) => p.onScreen - q.onScreen);
  return { DisplayedAreaTopLeftHandCorner: corners[0]!.at, DisplayedAreaBottomRightHandCorner: corners[3]!.at };
}

/** Presentation Pixel Aspect Ratio (row spacing : column spacing, integers), 1:1 without a spacing. */
function aspectRatio(spacing: [number, number] | null): [number, number] {
  if (!spacing || spacing[0] === spacing[1]) return [1, 1];
  return [Math.round(spacing[0] * 1e4), Math.round(spacing[1] * 1e4)];
}

/** A DS value: at most 16 characters. */
function ds(v: number): string {
  const s = String(Number(v.toPrecision(10)));
  return s.length <= 16 ? s : v.toExponential(8);
}

/** CIELab (L 0–100, a and b −128–127) as DICOM encodes it: each scaled to 0–65535. */
function cieLab(l: number, a: number, b: number): [number, number, number] {
  return [Math.round((l / 100) * 65535), Math.round(((a + 128) / 255) * 65535), Math.round(((b + 128) / 255) * 65535)];
}
