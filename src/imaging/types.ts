/** Where a decoded image came from. */
export type SourceFormat = 'dicom' | 'png' | 'jpeg';

/** Stored (pre-modality-LUT) pixel values of one frame, one channel, rows top to bottom. */
export type StoredPixels = Uint8Array | Uint16Array | Int16Array;

export interface WindowPreset {
  center: number;
  width: number;
  /** Window Center & Width Explanation (0028,1055), or a description of where it came from. */
  label: string;
}

/** A VOI LUT Sequence (0028,3010) item: entry i maps modality value firstMapped + i. */
export interface VoiLut {
  firstMapped: number;
  bits: number;
  data: Uint16Array;
  label: string;
}

/** One row of the metadata panel. `identifying` marks patient-identifying fields. */
export interface MetaField {
  key: string;
  label: string;
  value: string;
  identifying: boolean;
}

/**
 * A decoded image, independent of any viewer library: the first frame's stored values (colour
 * sources already turned grey exactly as PIL's convert('L')), plus what is needed to display it
 * (modality LUT, windows, MONOCHROME1) and to describe it.
 */
/**
 * Where a projection radiograph's pixel spacing holds (DICOM PS3.3 10.7.1.1). X-rays fan out from
 * the tube, so the anatomy is larger at the detector than in the patient (about 10 % on a PA chest).
 * - 'detector': Imager Pixel Spacing (alone, or equal to Pixel Spacing): lengths at the detector.
 * - 'magnification-corrected': Imager Pixel Spacing divided by the Estimated Radiographic
 *   Magnification Factor: lengths estimated in the patient.
 * - 'calibrated': a Pixel Spacing unlike the Imager Pixel Spacing: corrected or calibrated.
 * - 'pixel-spacing': Pixel Spacing alone: the file does not say which.
 */
export type SpacingBasis =
  | { kind: 'detector' }
  | { kind: 'magnification-corrected'; factor: number }
  | { kind: 'calibrated' }
  | { kind: 'pixel-spacing' };

export interface DecodedImage {
  format: SourceFormat;
  width: number;
  height: number;
  pixels: StoredPixels;
  /** Bits Stored of the pixel values (8 for colour sources turned grey). */
  bitsStored: number;
  signed: boolean;
  /** Smallest and largest stored value in `pixels`. */
  minStored: number;
  maxStored: number;
  /** Modality LUT: modality value = stored * slope + intercept. */
  slope: number;
  intercept: number;
  /** Every window centre/width pair in the file, first one first. */
  windows: WindowPreset[];
  voiLut: VoiLut | null;
  voiLutFunction: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  /** MONOCHROME1: low values are white; shown (and given to the model) inverted. */
  invert: boolean;
  /** The photometric interpretation (DICOM) or colour type (PNG/JPEG) of the source. */
  photometric: string;
  /** True when an 8-bit grey source is shown as is (PNG/JPEG, and 8-bit DICOM without a window). */
  identity8: boolean;
  frames: number;
  /** Pixel spacing in mm [row, column] for measuring, when the file has one (see spacingBasis). */
  pixelSpacing: [number, number] | null;
  /** What a length measured with pixelSpacing is; set with it (pixel-spacing.ts). */
  spacingBasis?: SpacingBasis;
  /** DICOM Patient Orientation: the directions of the rows and of the columns (orientation.ts). */
  patientOrientation?: [string, string];
  meta: MetaField[];
  /** Things the user should know (e.g. "multi-frame: frame 1 of 3 shown"). */
  notes: string[];
  /** DICOM: what decoded the pixel data, e.g. "cornerstone-wado-image-loader 4.13.2" (also a metadata row). */
  decoder?: string;
}
