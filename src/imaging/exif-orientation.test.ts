import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from './decode-node';
import { applyOrientation, readOrientation } from './exif-orientation';

// The pixels of every oriented fixture are checked against PIL's ImageOps.exif_transpose in
// decode-node.test.ts (expected.json); this file checks what the user is told, and the edge cases.
const dir = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(dir + name));

/** Where the TIFF header of the JPEG's EXIF block starts (after "Exif\0\0"). */
function tiffAt(bytes: Uint8Array): number {
  const i = Buffer.from(bytes).indexOf('Exif\0\0', 0, 'latin1');
  if (i < 0) throw new Error('no EXIF block');
  return i + 6;
}

/** The byte that holds the orientation value (PIL writes big-endian "MM": tag 0112, type SHORT, count 1, value). */
function orientationByteAt(bytes: Uint8Array): number {
  const entry = Buffer.from(bytes).indexOf(Buffer.from([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]), tiffAt(bytes));
  if (entry < 0) throw new Error('no orientation entry');
  return entry + 9;
}

describe('EXIF orientation', () => {
  it('turns a JPEG stored sideways upright, and says so in the metadata and the notes', async () => {
    const img = await decodeImageFile(read('exif-o6.jpg'), 'phone.jpg');
    // Stored 96 wide and 80 high; upright it is 80 wide and 96 high.
    expect([img.width, img.height]).toEqual([80, 96]);
    const meta = Object.fromEntries(img.meta.map((m) => [m.key, m.value]));
    expect(meta.exifOrientation).toBe('6: rotated 90° clockwise');
    expect(meta.size).toBe('80 × 96');
    expect(img.notes.join(' ')).toMatch(/Shown upright as the file's EXIF orientation asks \(rotated 90° clockwise\).*PIL's Image\.open/);
  });

  it('leaves a file without an orientation tag as it is, with no row and no note', async () => {
    const img = await decodeImageFile(read('gray.jpg'), 'gray.jpg');
    expect(await readOrientation(read('gray.jpg'))).toBeUndefined();
    expect(img.meta.some((m) => m.key === 'exifOrientation')).toBe(false);
    expect(img.notes).toEqual([]);
  });

  it('shows orientation 1 as stored, with the row but no note', async () => {
    const bytes = read('exif-o6.jpg');
    bytes[orientationByteAt(bytes)] = 1;
    const img = await decodeImageFile(bytes, 'upright.jpg');
    expect([img.width, img.height]).toEqual([96, 80]);
    expect(img.meta.find((m) => m.key === 'exifOrientation')?.value).toBe('1: none (stored upright)');
    expect(img.notes).toEqual([]);
  });

  it('shows a value outside 1–8 as stored and says why', async () => {
    const bytes = read('exif-o6.jpg');
    bytes[orientationByteAt(bytes)] = 9;
    const img = await decodeImageFile(bytes, 'odd.jpg');
    expect([img.width, img.height]).toEqual([96, 80]);
    expect(img.meta.find((m) => m.key === 'exifOrientation')?.value).toBe('9: not a valid value (1–8); shown as stored');
    expect(img.notes).toContain('The EXIF orientation value 9 is not one of 1–8, so the image is shown as stored.');
  });

  it('decodes a file whose EXIF block is damaged, as stored', async () => {
    const damaged = read('exif-o6.jpg');
    // The first IFD's offset now points far past the end of the file.
    damaged.set([0x7f, 0xff, 0xff, 0xf0], tiffAt(damaged) + 4);
    expect(await readOrientation(damaged)).toBeUndefined();
    const img = await decodeImageFile(damaged, 'damaged.jpg');
    expect([img.width, img.height]).toEqual([96, 80]);
  });

  it('undoes each turn with its inverse, on 8- and 16-bit pixels', () => {
    const inverse: Record<number, number> = { 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6 };
    for (const Ctor of [Uint8Array, Uint16Array, Int16Array]) {
      const w = 7;
      const h = 4;
      const px = new Ctor(w * h);
      for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 251;
      for (let o = 2; o <= 8; o++) {
        const turned = applyOrientation(px, w, h, o);
        expect(turned.pixels.constructor).toBe(Ctor);
        expect([turned.width, turned.height]).toEqual(o >= 5 ? [h, w] : [w, h]);
        expect(turned.pixels).not.toEqual(px);
        const back = applyOrientation(turned.pixels, turned.width, turned.height, inverse[o]!);
        expect([back.width, back.height]).toEqual([w, h]);
        expect(back.pixels).toEqual(px);
      }
    }
  });

  it('turns 90° clockwise as a viewer does: the stored bottom-left pixel comes to the top left', () => {
    // 3 wide, 2 high:  a b c / d e f  ->  d a / e b / f c
    const { pixels, width, height } = applyOrientation(Uint8Array.from([1, 2, 3, 4, 5, 6]), 3, 2, 6);
    expect([width, height]).toEqual([2, 3]);
    expect(Array.from(pixels)).toEqual([4, 1, 5, 2, 6, 3]);
  });
});
