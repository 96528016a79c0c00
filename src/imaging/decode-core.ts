/**
 * File bytes -> DecodedImage. Plain TypeScript with no DOM and no Node APIs: it runs in the
 * browser's decode worker (decode.worker.ts) and in Node (decode-node.ts, for the CLI and the
 * tests). The wasm codecs are injected (wasm-codecs.ts), and so is an optional FrameDecoder for
 * compressed DICOM frames (frame-decoder.ts): the browser passes cornerstone-wado-image-loader's
 * decode worker, Node passes none and the codecs decode every frame.
 */
import { sniffDicom, decodeDicom } from './dicom';
import { ImagingError } from './errors';
import { readOrientation, uprightImage } from './exif-orientation';
import { decodeJpegFile, decodePngFile } from './raster';
import type { FrameDecoder } from './frame-decoder';
import type { DecodedImage } from './types';
import type { WasmDecode } from './wasm-codecs';

export type InputFormat = 'png' | 'jpeg' | 'dicom';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffFormat(bytes: Uint8Array): InputFormat | null {
  if (PNG.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return sniffDicom(bytes) ? 'dicom' : null;
}

/** ISO-BMFF brands of HEIF stills (what an iPhone camera saves by default). */
const HEIF_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'];
const CONVERT = 'Save it as JPEG or PNG and open that.';

/** What a file this app cannot open is, and what the user can do about it. */
function describeOther(bytes: Uint8Array): { what?: string; advice?: string } {
  const head = String.fromCharCode(...bytes.subarray(0, 12));
  const brand = head.slice(4, 8) === 'ftyp' ? head.slice(8, 12) : '';
  if (HEIF_BRANDS.includes(brand)) return { what: 'a HEIC photo (the format iPhones save by default)', advice: CONVERT };
  if (brand === 'avif' || brand === 'avis') return { what: 'an AVIF image', advice: CONVERT };
  if (head.startsWith('GIF8')) return { what: 'a GIF image', advice: CONVERT };
  if (head.startsWith('BM')) return { what: 'a BMP image', advice: CONVERT };
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return { what: 'a TIFF image', advice: CONVERT };
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return { what: 'a WebP image', advice: CONVERT };
  if (head.startsWith('%PDF')) return { what: 'a PDF document' };
  // PACS and CD exports often come zipped.
  if (head.startsWith('PK')) return { what: 'a ZIP archive', advice: 'Unzip it and open an image inside.' };
  const text = bytes.subarray(0, 512).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128);
  return text ? { what: 'a text file' } : {};
}

export async function decodeImageBytes(bytes: Uint8Array, name: string, wasm: WasmDecode, frameDecoder?: FrameDecoder): Promise<DecodedImage> {
  if (bytes.length === 0) throw new ImagingError('not-an-image', `${name} is empty.`);
  const format = sniffFormat(bytes);
  switch (format) {
    case 'png':
      return uprightImage(decodePngFile(bytes, name), await readOrientation(bytes));
    case 'jpeg':
      return uprightImage(await decodeJpegFile(bytes, name, wasm), await readOrientation(bytes));
    case 'dicom':
      return decodeDicom(bytes, sniffDicom(bytes)!, name, wasm, frameDecoder);
    default: {
      const { what, advice } = describeOther(bytes);
      const is = what ? `is ${what}, not` : 'is not';
      throw new ImagingError('not-an-image', `${name} ${is} a DICOM, PNG or JPEG image.${advice ? ` ${advice}` : ''}`);
    }
  }
}
