import { describe, expect, it } from 'vitest';
import { decodePgm, encodePgm } from './pgm';

describe('PGM (P5)', () => {
  it('round-trips an 8-bit image', () => {
    const img = { width: 3, height: 2, data: Uint8Array.from([0, 10, 20, 128, 254, 255]) };
    const bytes = encodePgm(img);
    expect(new TextDecoder().decode(bytes.subarray(0, 11))).toBe('P5\n3 2\n255\n');
    expect(decodePgm(bytes)).toEqual(img);
  });

  it('reads comments and odd whitespace in the header, and scales maxval < 255', () => {
    const header = new TextEncoder().encode('P5 # made by hand\n2\t1\r\n# max\n15\n');
    const bytes = new Uint8Array([...header, 0, 15]);
    expect(decodePgm(bytes)).toEqual({ width: 2, height: 1, data: Uint8Array.from([0, 255]) });
  });

  it('refuses 16-bit, truncated and non-PGM input', () => {
    const enc = new TextEncoder();
    expect(() => decodePgm(enc.encode('P5\n1 1\n65535\n\0\0'))).toThrow(/16-bit/);
    expect(() => decodePgm(enc.encode('P5\n4 4\n255\n\0'))).toThrow(/truncated/);
    expect(() => decodePgm(enc.encode('P2\n1 1\n255\n0'))).toThrow(/P5/);
  });
});
