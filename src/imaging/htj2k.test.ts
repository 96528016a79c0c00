import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCodecNode } from './codecs-node';
import { decodeImageFile } from './decode-node';

// No Debian tool writes HTJ2K yet, so this test encodes one with OpenJPH's encoder (the same
// @cornerstonejs/codec-openjph build the decoder uses) and wraps it in a minimal Part 10 file.
const dir = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));

interface Encoder {
  getDecodedBuffer(info: Record<string, number | boolean>): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  delete(): void;
}

function element(group: number, el: number, vr: string, value: Uint8Array): Uint8Array {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const v = new DataView(head.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, el, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, value.length, true);
  else v.setUint16(6, value.length, true);
  return concat([head, value]);
}
const text = (s: string) => new TextEncoder().encode(s.length % 2 ? s + (s.endsWith('\0') ? '' : ' ') : s);
const uid = (s: string) => new TextEncoder().encode(s.length % 2 ? s + '\0' : s);
const us = (n: number) => new Uint8Array(new Uint16Array([n]).buffer);
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function item(tag: number, body: Uint8Array): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, 0xfffe, true);
  v.setUint16(2, tag, true);
  v.setUint32(4, body.length, true);
  return concat([h, body]);
}

describe('HTJ2K', () => {
  it('decodes an HTJ2K lossless DICOM exactly', async () => {
    const mono2 = new Uint8Array(readFileSync(dir + 'dcm-mono2-explicit.dcm'));
    const source = (await decodeImageFile(mono2, 'src.dcm')).pixels as Uint16Array;
    const mod = await loadCodecNode('openjph');
    const encoder = new (mod.HTJ2KEncoder as new () => Encoder)();
    encoder.getDecodedBuffer({ width: 96, height: 96, bitsPerSample: 12, componentCount: 1, isSigned: false, isUsingColorTransform: false }).set(new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
    encoder.encode();
    let stream: Uint8Array = encoder.getEncodedBuffer().slice();
    encoder.delete();
    if (stream.length % 2) stream = concat([stream, new Uint8Array(1)]);

    const ts = '1.2.840.10008.1.2.4.201';
    const meta = concat([element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1])), element(0x0002, 0x0010, 'UI', uid(ts))]);
    const file = concat([
      new Uint8Array(128),
      text('DICM'),
      element(0x0002, 0x0000, 'UL', new Uint8Array(new Uint32Array([meta.length]).buffer)),
      meta,
      element(0x0008, 0x0060, 'CS', text('DX')),
      element(0x0028, 0x0002, 'US', us(1)),
      element(0x0028, 0x0004, 'CS', text('MONOCHROME2')),
      element(0x0028, 0x0010, 'US', us(96)),
      element(0x0028, 0x0011, 'US', us(96)),
      element(0x0028, 0x0100, 'US', us(16)),
      element(0x0028, 0x0101, 'US', us(12)),
      element(0x0028, 0x0102, 'US', us(11)),
      element(0x0028, 0x0103, 'US', us(0)),
      // Pixel Data, undefined length: empty offset table, one fragment, sequence delimiter.
      new Uint8Array([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]),
      item(0xe000, new Uint8Array(0)),
      item(0xe000, stream),
      item(0xe0dd, new Uint8Array(0)),
    ]);
    const img = await decodeImageFile(file, 'htj2k.dcm');
    expect(img.meta.find((m) => m.key === 'transferSyntax')?.value).toContain('HTJ2K');
    expect(Array.from(img.pixels)).toEqual(Array.from(source));
  });
});
