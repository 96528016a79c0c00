/** An 8-bit single-channel image, rows top to bottom, no padding between rows. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Turns a file's bytes into the 8-bit grey image the model sees (for DICOM / 16-bit sources:
 * after the default VOI window). Injected so that preprocessing never depends on a decoder.
 */
export type GrayDecoder = (bytes: Uint8Array, name: string) => Promise<GrayImage>;

export function checkGrayImage(img: GrayImage): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`bad image size ${width}x${height}`);
  }
  if (data.length !== width * height) {
    throw new RangeError(`image data has ${data.length} bytes, ${width}x${height} needs ${width * height}`);
  }
}
