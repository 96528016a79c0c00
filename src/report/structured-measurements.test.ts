import { describe, expect, it } from 'vitest';
import type { Segment } from '../imaging/measure';
import { openImageLengths } from '../state/study-slice';
import type { DecodedImage } from '../imaging/types';
import { describeMeasurements, pixelLengthsNote, reportMeasurements } from './structured-measurements';

const meta = (view: string) => [{ key: 'viewPosition', label: 'View Position', value: view, identifying: false }];
/** Rows 0.2 mm apart, columns 0.1 mm: a length's mm depends on its direction. */
const dicom = { pixelSpacing: [0.2, 0.1] as [number, number], spacingBasis: { kind: 'detector' as const }, meta: meta('AP') };
const png = { pixelSpacing: null, meta: [] };

const across: Segment = { a: { x: 10, y: 10 }, b: { x: 433, y: 10 } }; // 42.3 mm
const down: Segment = { a: { x: 5, y: 0 }, b: { x: 5, y: 90.26 } }; // 18.052 mm
const heart: Segment = { a: { x: 100, y: 50 }, b: { x: 1410, y: 50 }, role: 'heart' }; // 131.0 mm
const chest: Segment = { a: { x: 20, y: 60 }, b: { x: 2750, y: 60 }, role: 'chest' }; // 273.0 mm

describe('the measurements an export carries as data', () => {
  it('are the lengths in mm, rounded as shown (0.1 mm), with the image points they were drawn between', () => {
    const m = reportMeasurements(dicom, [across, down])!;
    expect(m.lengths).toEqual([
      { a: across.a, b: across.b, mm: 42.3 },
      { a: down.a, b: down.b, mm: 18.1 },
    ]);
    expect(m.ratio).toBeNull();
    expect(m.basis).toBe('at the detector, not corrected for magnification');
    expect(m.pixelLengths).toBe(0);
    expect(describeMeasurements(m)).toBe('2 lengths');
  });

  it("give the ratio to two decimals, from the ratio tool's widths, with the AP caveat", () => {
    const m = reportMeasurements(dicom, [across, heart, chest])!;
    expect(m.lengths.map((l) => [l.mm, l.role])).toEqual([
      [42.3, undefined],
      [131, 'heart'],
      [273, 'chest'],
    ]);
    expect(m.ratio).toEqual({ value: 0.48, from: [1, 2] });
    expect(m.ratioCaveat).toMatch(/^AP view: the heart is magnified/);
    expect(describeMeasurements(m)).toBe('3 lengths and the cardiothoracic ratio');
    expect(reportMeasurements({ ...dicom, meta: meta('PA') }, [heart, chest])!.ratioCaveat).toBeNull();
  });

  it('leave out lengths in pixels (no pixel spacing) and say so, but keep the ratio, which needs no spacing', () => {
    const m = reportMeasurements(png, [across, heart, chest])!;
    expect(m.lengths).toEqual([]);
    expect(m.pixelLengths).toBe(3);
    expect(m.ratio).toEqual({ value: Number((1310 / 2730).toFixed(2)), from: null });
    expect(describeMeasurements(m)).toBe('the cardiothoracic ratio');
    expect(pixelLengthsNote(m)).toBe('3 lengths were measured in pixels (the image has no pixel spacing) and are left out of the structured measurements.');
    expect(pixelLengthsNote(reportMeasurements(png, [across])!)).toMatch(/^1 length was measured in pixels .* and is left out/);
    expect(describeMeasurements(reportMeasurements(png, [across]))).toBe('');
  });

  it('are none without lengths, and never those drawn on another image', () => {
    expect(reportMeasurements(dicom, [])).toBeNull();
    const image = { width: 1 } as DecodedImage;
    const other = { width: 2 } as DecodedImage;
    const study = { key: 'k', fileName: 'f', image } as never;
    expect(openImageLengths({ study, imageLengths: { image, list: [across] } })).toEqual([across]);
    expect(openImageLengths({ study, imageLengths: { image: other, list: [across] } })).toEqual([]);
    expect(openImageLengths({ study: null, imageLengths: { image, list: [across] } })).toEqual([]);
  });
});
