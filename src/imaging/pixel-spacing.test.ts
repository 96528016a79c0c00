import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from './decode-node';
import { formatLength, lengthOf, lengthsSentence } from './measure';
import { describeSpacing, measureSpacing } from './pixel-spacing';

const fixtures = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cxr-spacing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The PA fixture (Pixel Spacing 0.139 \ 0.139, DX) with its spacing attributes changed by dcmtk's dcmodify. */
async function decodeWith(name: string, args: string[]) {
  const path = join(dir, name);
  copyFileSync(fixtures + 'dcm-mono2-explicit.dcm', path);
  execFileSync('dcmodify', ['-q', '-nb', ...args, path]);
  return decodeImageFile(new Uint8Array(readFileSync(path)), name);
}

describe('measureSpacing: which spacing a length uses, and what it is (PS3.3 10.7.1.1)', () => {
  it('Imager Pixel Spacing alone, or equal to Pixel Spacing: at the detector', () => {
    expect(measureSpacing({ imagerPixelSpacing: [0.15, 0.14] })).toEqual({ spacing: [0.15, 0.14], basis: { kind: 'detector' } });
    expect(measureSpacing({ imagerPixelSpacing: [0.15, 0.15], pixelSpacing: [0.15, 0.15] })).toEqual({ spacing: [0.15, 0.15], basis: { kind: 'detector' } });
  });

  it('with a magnification factor: divided by it', () => {
    const m = measureSpacing({ imagerPixelSpacing: [0.15, 0.12], magnification: 1.2 })!;
    expect(m.basis).toEqual({ kind: 'magnification-corrected', factor: 1.2 });
    expect(m.spacing[0]).toBeCloseTo(0.125, 12);
    expect(m.spacing[1]).toBeCloseTo(0.1, 12);
    // A factor of 0 or below means nothing: at the detector.
    expect(measureSpacing({ imagerPixelSpacing: [0.15, 0.15], magnification: 0 })!.basis).toEqual({ kind: 'detector' });
  });

  it('a Pixel Spacing unlike the Imager Pixel Spacing: calibrated; Pixel Spacing alone: unsaid; none: pixels', () => {
    expect(measureSpacing({ imagerPixelSpacing: [0.15, 0.15], pixelSpacing: [0.136, 0.136], magnification: 1.1 })).toEqual({ spacing: [0.136, 0.136], basis: { kind: 'calibrated' } });
    expect(measureSpacing({ pixelSpacing: [0.139, 0.139] })).toEqual({ spacing: [0.139, 0.139], basis: { kind: 'pixel-spacing' } });
    expect(measureSpacing({})).toBeNull();
    expect(describeSpacing({ pixelSpacing: null })).toBe('Lengths in pixels: the file has no pixel spacing.');
    expect(describeSpacing({ pixelSpacing: [0.1, 0.1], spacingBasis: { kind: 'magnification-corrected', factor: 1.1 } })).toContain('magnification factor 1.1');
    expect(describeSpacing({ pixelSpacing: [0.1, 0.1], spacingBasis: { kind: 'detector' } })).toMatch(/^Lengths at the detector/);
  });

  it('reads the attributes from the file', async () => {
    const pa = await decodeImageFile(new Uint8Array(readFileSync(fixtures + 'dcm-mono2-explicit.dcm')), 'pa.dcm');
    expect(pa.pixelSpacing).toEqual([0.139, 0.139]);
    expect(pa.spacingBasis).toEqual({ kind: 'pixel-spacing' });

    const detector = await decodeWith('ips.dcm', ['-e', '(0028,0030)', '-i', '(0018,1164)=0.2\\0.1']);
    expect(detector.pixelSpacing).toEqual([0.2, 0.1]);
    expect(detector.spacingBasis).toEqual({ kind: 'detector' });
    expect(detector.meta.find((m) => m.key === 'pixelSpacing')!.value).toBe('0.2 \\ 0.1 mm (imager)');

    const corrected = await decodeWith('ermf.dcm', ['-e', '(0028,0030)', '-i', '(0018,1164)=0.15\\0.15', '-i', '(0018,1114)=1.25']);
    expect(corrected.pixelSpacing![0]).toBeCloseTo(0.12, 12);
    expect(corrected.spacingBasis).toEqual({ kind: 'magnification-corrected', factor: 1.25 });
    expect(corrected.meta.find((m) => m.key === 'pixelSpacing')!.value).toBe('0.15 \\ 0.15 mm (imager); magnification factor 1.25');

    const calibrated = await decodeWith('cal.dcm', ['-i', '(0018,1164)=0.15\\0.15']);
    expect(calibrated.pixelSpacing).toEqual([0.139, 0.139]);
    expect(calibrated.spacingBasis).toEqual({ kind: 'calibrated' });

    // A spacing of 0 is no spacing: lengths in pixels.
    const zero = await decodeWith('zero.dcm', ['-m', '(0028,0030)=0\\0']);
    expect(zero.pixelSpacing).toBeNull();
    expect(zero.spacingBasis).toBeUndefined();

    const png = await decodeImageFile(new Uint8Array(readFileSync(fixtures + 'gray8.png')), 'x.png');
    expect(png.pixelSpacing).toBeNull();
  });
});

describe('lengthOf', () => {
  it('uses the row spacing along rows and the column spacing along columns', () => {
    const img = { pixelSpacing: [0.2, 0.1] as [number, number] };
    expect(lengthOf({ x: 0, y: 0 }, { x: 100, y: 0 }, img)).toEqual({ value: 10, unit: 'mm' });
    expect(lengthOf({ x: 0, y: 0 }, { x: 0, y: 100 }, img)).toEqual({ value: 20, unit: 'mm' });
    expect(lengthOf({ x: 10, y: 10 }, { x: 40, y: 30 }, img).value).toBeCloseTo(5, 12); // (3 mm, 4 mm)
    expect(lengthOf({ x: 1, y: 1 }, { x: 4, y: 5 }, { pixelSpacing: null })).toEqual({ value: 5, unit: 'px' });
  });

  it('says the lengths for the report, with what they are in', () => {
    const seg = (x: number) => ({ a: { x: 0, y: 0 }, b: { x, y: 0 } });
    const detector = { pixelSpacing: [0.1, 0.1] as [number, number], spacingBasis: { kind: 'detector' as const } };
    expect(lengthsSentence(detector, [seg(423)])).toBe('Length measured on the image: 42.3 mm (at the detector, not corrected for magnification).');
    expect(lengthsSentence({ ...detector, spacingBasis: { kind: 'magnification-corrected', factor: 1.1 } }, [seg(10), seg(20), seg(30)])).toBe(
      'Lengths measured on the image: 1.0 mm, 2.0 mm and 3.0 mm (corrected for an estimated magnification of 1.1).',
    );
    expect(lengthsSentence({ pixelSpacing: null }, [seg(12)])).toBe('Length measured on the image: 12 px (in pixels; the file gives no pixel spacing).');
  });

  it('formats a tenth of a millimetre, whole pixels', () => {
    expect(formatLength({ value: 42.345, unit: 'mm' })).toBe('42.3 mm');
    expect(formatLength({ value: 7, unit: 'mm' })).toBe('7.0 mm');
    expect(formatLength({ value: 304.6, unit: 'px' })).toBe('305 px');
  });
});
