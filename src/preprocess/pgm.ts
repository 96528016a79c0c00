import type { GrayImage } from './types';

/*
 * Binary PGM (P5), 8-bit only: enough for the CLI to work end to end and to write what it made.
 * Other formats belong to the image decoders.
 */

export function isPgm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x35;
}

export function decodePgm(bytes: Uint8Array): GrayImage {
  if (!isPgm(bytes)) throw new Error('not a binary PGM (P5) file');
  let pos = 2;
  const field = (): number => {
    // Header fields are separated by whitespace, and '#' comments run to the end of the line.
    for (;;) {
      const c = bytes[pos];
      if (c === undefined) throw new Error('truncated PGM header');
      if (c === 0x23) {
        while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
      } else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        pos++;
      } else {
        break;
      }
    }
    let v = 0;
    let digits = 0;
    for (let c = bytes[pos]; c !== undefined && c >= 0x30 && c <= 0x39; c = bytes[++pos]) {
      v = v * 10 + (c - 0x30);
      digits++;
    }
    if (digits === 0) throw new Error('malformed PGM header');
    return v;
  };
  const width = field();
  const height = field();
  const maxval = field();
  pos++; // the single whitespace byte before the raster
  if (width < 1 || height < 1) throw new Error(`bad PGM size ${width}x${height}`);
  if (maxval < 1 || maxval > 255) {
    throw new Error(maxval > 255 ? '16-bit PGM is not supported here (map it to 8 bits first)' : `bad PGM maxval ${maxval}`);
  }
  const n = width * height;
  if (bytes.length - pos < n) throw new Error(`PGM raster truncated: ${bytes.length - pos} of ${n} bytes`);
  const data = bytes.slice(pos, pos + n);
  if (maxval !== 255) {
    for (let i = 0; i < n; i++) data[i] = Math.round((Math.min(data[i]!, maxval) * 255) / maxval);
  }
  return { width, height, data };
}

export function encodePgm(img: GrayImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${img.width} ${img.height}\n255\n`);
  const out = new Uint8Array(header.length + img.data.length);
  out.set(header);
  out.set(img.data, header.length);
  return out;
}
