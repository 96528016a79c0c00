import { ImagingError } from './errors';
import type { CodecOutput, WasmDecode } from './wasm-codecs';

export interface JpegFrameInfo {
  /** SOF marker type: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, 0xc3 lossless, ... */
  sof: number;
  precision: number;
  width: number;
  height: number;
  components: number;
}

/** Reads the frame header (SOFn) of a JPEG codestream. */
export function readJpegFrameInfo(data: Uint8Array): JpegFrameInfo | null {
  if (data[0] !== 0xff || data[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) return null;
    const marker = data[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = (data[i + 2]! << 8) | data[i + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 10 > data.length) return null;
      return {
        sof: marker,
        precision: data[i + 4]!,
        height: (data[i + 5]! << 8) | data[i + 6]!,
        width: (data[i + 7]! << 8) | data[i + 8]!,
        components: data[i + 9]!,
      };
    }
    if (marker === 0xda) return null;
    i += 2 + length;
  }
  return null;
}

/**
 * Sequential/progressive DCT JPEG -> samples. 8-bit data goes to libjpeg-turbo (the codec
 * cornerstone-wado-image-loader uses, and the library PIL decodes with: its default islow IDCT
 * and fancy upsampling give the same pixels). 12-bit data (JPEG Extended, Process 4) is not
 * handled by that build.
 */
export async function decodeJpegFrame(data: Uint8Array, wasm: WasmDecode): Promise<CodecOutput> {
  const info = readJpegFrameInfo(data);
  if (!info) throw new Error('no JPEG frame header found');
  if (info.sof === 0xc3 || info.sof === 0xc7) throw new Error('this is lossless JPEG data in a lossy JPEG transfer syntax');
  if (info.precision === 8) return wasm('libjpeg-turbo', data);
  if (info.precision === 12) {
    const { decodeJpeg12 } = await import('./jpeg12');
    return decodeJpeg12(data);
  }
  throw new ImagingError('decode-failed', `JPEG data with ${info.precision}-bit precision cannot be decoded.`);
}
