/**
 * The seam between decode-core and an outside DICOM frame decoder. decode-core parses the file
 * (dicom-parser), finds the first frame and reads the image-pixel fields; a FrameDecoder turns one
 * compressed frame into samples. In the browser that is cornerstone-wado-image-loader's own decode
 * worker (wado-frame-decoder.ts); in Node there is none and decode-core calls the codecs itself.
 * Moving to @cornerstonejs/dicom-image-loader means writing another FrameDecoder, nothing else.
 */

/** One frame and the header fields a decoder needs, as read from the data set. */
export interface FrameRequest {
  transferSyntax: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  /** Pixel Representation 1. */
  signed: boolean;
  /** Planar Configuration 1 (colour planes one after another). */
  planar: boolean;
  photometric: string;
}

/** A decoded frame: samples interleaved by pixel, one element per sample. */
export interface DecodedFrame {
  columns: number;
  rows: number;
  components: number;
  /** 8-bit samples, or 16-bit ones with the header's sign. */
  samples: Uint8Array | Uint16Array | Int16Array;
}

export interface FrameDecoder {
  /** Shown in the metadata panel and carried in the decode reply, e.g. "cornerstone-wado-image-loader 4.13.2". */
  readonly name: string;
  /** Whether this decoder takes the frame; if not, decode-core's own codecs decode it. */
  accepts(request: FrameRequest): boolean;
  /** Rejects with an Error whose message says what went wrong (decode-core adds the file and syntax). */
  decode(frame: Uint8Array, request: FrameRequest): Promise<DecodedFrame>;
}
