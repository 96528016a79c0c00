import { describe, expect, it } from 'vitest';
import { part10 } from './dicom-object';
import { buildLengthsPresentationState } from './lengths-presentation-state';
import { readPresentationLengths } from './read-presentation-state';
import { buildReportSr } from './report-sr';
import type { SrSource } from './source';

const IMAGE = '1.2.826.0.1.3680043.10.9.1';
const OTHER = '1.2.826.0.1.3680043.10.9.2';
const source: SrSource = {
  StudyInstanceUID: '1.2.826.0.1.3680043.10.9',
  SeriesInstanceUID: '1.2.826.0.1.3680043.10.9.3',
  SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
  SOPInstanceUID: IMAGE,
  patientAndStudy: { PatientID: 'PID-R', PatientName: 'Read^Back' },
};
const buffer = (b: Uint8Array) => b.slice().buffer;

describe('reading the lengths a presentation state draws on an image', () => {
  it("reads this app's own: each length as drawn, its labels and the ratio's line", () => {
    const ps = buildLengthsPresentationState({
      source,
      image: { width: 2000, height: 2000, slope: 1, intercept: 0, pixelSpacing: [0.2, 0.2], meta: [] },
      segments: [
        { a: { x: 700, y: 1000 }, b: { x: 1300, y: 1000 }, role: 'heart' },
        { a: { x: 300, y: 1100 }, b: { x: 1700.5, y: 1100 }, role: 'chest' },
      ],
      // Windowed, inverted, turned right and mirrored when it was sent.
      view: { window: { center: 2048, width: 4096 }, invert: true, axes: { x: { x: 0, y: -1 }, y: { x: -1, y: 0 } } },
      softwareVersion: 'test',
      now: new Date(2024, 0, 31, 10, 0, 0),
    });
    expect(readPresentationLengths(buffer(ps.bytes), IMAGE)).toEqual({
      sopInstanceUID: ps.sopInstanceUID,
      label: 'READER_LENGTHS',
      date: '2024-01-31',
      creator: '',
      lengths: [
        { a: { x: 700, y: 1000 }, b: { x: 1300, y: 1000 }, label: 'Heart width 120.0 mm' },
        { a: { x: 300, y: 1100 }, b: { x: 1700.5, y: 1100 }, label: 'Chest width 280.1 mm' },
      ],
      texts: ['Heart width 120.0 mm', 'Chest width 280.1 mm', 'Cardiothoracic ratio 0.43'],
      notDrawn: 0,
      view: { window: { center: 2048, width: 4096 }, invert: true, rotation: 270, hflip: true },
    });
    // None of it is on another image.
    expect(readPresentationLengths(buffer(ps.bytes), OTHER)).toMatchObject({ lengths: [], texts: [], notDrawn: 0 });
  });

  it("reads another writer's: rulers on the image are lengths; shapes, curves and graphics on the display are counted, not drawn", () => {
    const line = (units: string, type: string, data: number[]) => ({ GraphicAnnotationUnits: units, GraphicDimensions: 2, NumberOfGraphicPoints: data.length / 2, GraphicData: data, GraphicType: type });
    const bytes = part10({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.11.1',
      SOPInstanceUID: '1.2.826.0.1.3680043.10.9.9',
      ContentLabel: 'MEASUREMENTS',
      PresentationCreationDate: '20231105',
      ContentCreatorName: [{ Alphabetic: 'Doe^Jane' }],
      ReferencedSeriesSequence: [{ SeriesInstanceUID: source.SeriesInstanceUID, ReferencedImageSequence: [{ ReferencedSOPClassUID: source.SOPClassUID, ReferencedSOPInstanceUID: IMAGE }] }],
      GraphicAnnotationSequence: [
        {
          // No Referenced Image Sequence: every image the state presents.
          GraphicLayer: 'L1',
          GraphicObjectSequence: [
            line('PIXEL', 'POLYLINE', [10, 20, 110, 20]),
            line('PIXEL', 'POLYLINE', [0, 0, 5, 5, 9, 0]),
            line('PIXEL', 'ELLIPSE', [0, 5, 10, 5, 5, 0, 5, 10]),
            line('DISPLAY', 'POLYLINE', [0.1, 0.1, 0.2, 0.2]),
          ],
          TextObjectSequence: [{ AnchorPointAnnotationUnits: 'PIXEL', UnformattedTextValue: 'Nodule\r\n11 mm', AnchorPoint: [60, 20], AnchorPointVisibility: 'Y' }],
        },
        { GraphicLayer: 'L1', ReferencedImageSequence: [{ ReferencedSOPClassUID: source.SOPClassUID, ReferencedSOPInstanceUID: OTHER }], GraphicObjectSequence: [line('PIXEL', 'POLYLINE', [1, 1, 2, 2])] },
      ],
    });
    expect(readPresentationLengths(buffer(bytes), IMAGE)).toEqual({
      sopInstanceUID: '1.2.826.0.1.3680043.10.9.9',
      label: 'MEASUREMENTS',
      date: '2023-11-05',
      creator: 'Jane Doe',
      lengths: [{ a: { x: 10, y: 20 }, b: { x: 110, y: 20 }, label: 'Nodule 11 mm' }],
      texts: ['Nodule 11 mm'],
      notDrawn: 3,
      view: { window: null, invert: false, rotation: 0, hflip: false },
    });
  });

  it('refuses a file that is no presentation state, and one that is no DICOM', () => {
    const sr = buildReportSr({ source, text: 'Findings: none.', device: { name: 'm', modelId: 'm', randomWeights: false, softwareVersion: 't' }, now: new Date() });
    expect(() => readPresentationLengths(buffer(sr.bytes), IMAGE)).toThrow(/Not a presentation state \(SOP Class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.88\.11\)/);
    expect(() => readPresentationLengths(new TextEncoder().encode('not dicom').buffer, IMAGE)).toThrow(/The presentation state could not be read/);
  });
});
