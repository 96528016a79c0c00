import type { DecodedImage } from '../imaging/types';

/**
 * An image's identity for drafts and the viewer's lengths: SHA-256 of its decoded pixels, with the format and geometry
 * in front (the same picture saved as PNG and as DICOM are two studies).
 */
export function studyFingerprint(image: DecodedImage): Promise<string> {
  // Drafts and the viewer's lengths both ask for the open image's: its pixels are hashed once.
  let known = hashed.get(image);
  if (!known) hashed.set(image, (known = fingerprintOf(image)));
  return known;
}

const hashed = new WeakMap<DecodedImage, Promise<string>>();

async function fingerprintOf(image: DecodedImage): Promise<string> {
  const p = image.pixels;
  const bytes = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  const head = `${image.format}-${image.width}x${image.height}-${image.bitsStored}${image.signed ? 's' : 'u'}`;
  return `${head}-${await digestHex(bytes)}`;
}

async function digestHex(bytes: Uint8Array): Promise<string> {
  // crypto.subtle exists only in secure contexts (https, localhost); elsewhere FNV-1a, 2 × 32 bits.
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const data = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
    const digest = await subtle.digest('SHA-256', data);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]!, 0x5bd1e995) ^ (b >>> 15);
  }
  return `fnv${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
