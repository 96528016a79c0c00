import { describe, expect, it } from 'vitest';
import { csvRecords, parseCsv, toCsv } from './csv';

describe('csv', () => {
  it('parses quoted commas, doubled quotes, newlines, CRLF and a BOM', () => {
    const text = '\ufeffimage,report\r\na.png,"No effusion, no pneumothorax."\r\nb.png,"Line one\nline ""two"""\r\n\r\nc.png,\n';
    expect(parseCsv(text)).toEqual([
      ['image', 'report'],
      ['a.png', 'No effusion, no pneumothorax.'],
      ['b.png', 'Line one\nline "two"'],
      ['c.png', ''],
    ]);
    expect(csvRecords(text).records[1]).toEqual({ image: 'b.png', report: 'Line one\nline "two"' });
  });

  it('round-trips through toCsv', () => {
    const rows = [
      ['image', 'source', 'No Finding'],
      ['x, y.png', 'generated', ''],
      ['q"uote.png', 'reference', '-1'],
      [' padded ', 'a\nb', '1'],
    ];
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });

  it('refuses an unterminated quote', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/quoted field/);
  });
});
