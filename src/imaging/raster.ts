import { convertIndexedToRgb, decode as decodePng, type DecodedPng } from 'fast-png';
import { checkSize, ImagingError } from './errors';
import { decodeJpegFrame, readJpegFrameInfo } from './jpeg';
import { colourToGrey, minMax, words } from './pixels';
import type { DecodedImage, MetaField, StoredPixels } from './types';
import type { WasmDecode } from './wasm-codecs';

function rasterMeta(format: string, width: number, height: number, depth: number, colour: string): MetaField[] {
  const f = (key: string, label: string, value: string): MetaField => ({ key, label, value, identifying: false });
  return [
    f('format', 'Format', format),
    f('size', 'Size', `${width} × ${height}`),
    f('bits', 'Bits per sample', String(depth)),
    f('photometric', 'Colour type', colour),
  ];
}

function image(format: 'png' | 'jpeg', width: number, height: number, pixels: StoredPixels, bitsStored: number, photometric: string, depth: number, notes: string[]): DecodedImage {
  const { min, max } = minMax(pixels);
  return {
    format,
    width,
    height,
    pixels,
    bitsStored,
    signed: false,
    minStored: min,
    maxStored: max,
    slope: 1,
    intercept: 0,
    windows: [],
    voiLut: null,
    voiLutFunction: 'LINEAR',
    invert: false,
    photometric,
    // 8-bit grey is the model's input as is (PIL convert('L')); 16-bit grey gets the default window.
    identity8: bitsStored <= 8,
    frames: 1,
    pixelSpacing: null,
    meta: rasterMeta(format === 'png' ? 'PNG' : 'JPEG', width, height, depth, photometric),
    notes,
  };
}

/** Unpacks 1/2/4-bit grey rows and scales them to 0..255, as PIL's "L;n" unpackers do. */
function unpackLowDepth(png: DecodedPng): Uint8Array {
  const { width, height, depth } = png;
  const data = png.data as Uint8Array;
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const scale = 255 / ((1 << depth) - 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      const v = (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
      out[y * width + x] = Math.round(v * scale);
    }
  }
  return out;
}

export function decodePngFile(bytes: Uint8Array, name: string): DecodedImage {
  let png: DecodedPng;
  try {
    png = decodePng(bytes);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const short = /end of|out of range|offset|truncat|unexpected end/i.test(message);
    throw new ImagingError(short ? 'truncated' : 'decode-failed', `${name}: the PNG could not be decoded (${message}).`);
  }
  const { width, height, depth, channels } = png;
  checkSize(width, height, `${name} (PNG)`);
  const n = width * height;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png) as Uint8Array;
    const ch = rgb.length === n * 4 ? 4 : 3;
    return image('png', width, height, colourToGrey(rgb, width, height, ch), 8, 'palette', depth, ["Palette PNG shown in grey, with PIL's convert('L') weights."]);
  }
  if (channels <= 2) {
    let grey: StoredPixels;
    if (depth === 16) {
      const d = png.data as Uint16Array;
      grey = channels === 1 ? d : Uint16Array.from({ length: n }, (_, i) => d[2 * i]!);
    } else if (depth < 8) {
      grey = unpackLowDepth(png);
    } else {
      const d = png.data as Uint8Array;
      grey = channels === 1 ? d : Uint8Array.from({ length: n }, (_, i) => d[2 * i]!);
    }
    const notes = channels === 2 ? ['The alpha channel is ignored.'] : [];
    return image('png', width, height, grey, depth === 16 ? 16 : 8, channels === 1 ? 'grey' : 'grey + alpha', depth, notes);
  }
  // RGB(A): PIL reads 16-bit colour PNGs as 8-bit (high byte), then convert('L').
  const d = png.data;
  const rgb = depth === 16 ? Uint8Array.from(d, (v) => v >> 8) : (d as Uint8Array);
  const grey = colourToGrey(rgb, width, height, channels === 4 ? 4 : 3);
  return image('png', width, height, grey, 8, channels === 4 ? 'RGBA' : 'RGB', depth, ["Colour image shown in grey, with PIL's convert('L') weights."]);
}

/** A complete JPEG ends with EOI (FFD9), possibly followed by padding. */
function hasEndMarker(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 64); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

export async function decodeJpegFile(bytes: Uint8Array, name: string, wasm: WasmDecode): Promise<DecodedImage> {
  const info = readJpegFrameInfo(bytes);
  if (!info) throw new ImagingError('truncated', `${name}: the JPEG has no frame header (truncated or damaged).`);
  checkSize(info.width, info.height, `${name} (JPEG)`);
  if (info.components !== 1 && info.components !== 3) {
    throw new ImagingError('unsupported-colour', `${name} is a ${info.components}-component (e.g. CMYK) JPEG, which cannot be shown.`);
  }
  let out;
  try {
    out = await decodeJpegFrame(bytes, wasm);
  } catch (err) {
    if (err instanceof ImagingError) throw err;
    if (!hasEndMarker(bytes)) throw new ImagingError('truncated', `${name}: the JPEG ends before its end-of-image marker (truncated file).`);
    throw new ImagingError('decode-failed', `${name}: the JPEG could not be decoded (${err instanceof Error ? err.message : String(err)}).`);
  }
  const n = out.width * out.height;
  if (out.components === 3) {
    return image('jpeg', out.width, out.height, colourToGrey(out.bytes, out.width, out.height, 3), 8, 'YCbCr', info.precision, ["Colour image shown in grey, with PIL's convert('L') weights."]);
  }
  const grey = out.bitsPerSample > 8 ? words(out.bytes, n, false) : out.bytes;
  return image('jpeg', out.width, out.height, grey, out.bitsPerSample > 8 ? info.precision : 8, 'grey', info.precision, []);
}
