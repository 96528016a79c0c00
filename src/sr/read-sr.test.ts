import { readFileSync } from 'node:fs';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { reportMeasurements } from '../report/structured-measurements';
import { filedSignature, readReportSr } from './read-sr';
import { buildReportSr } from './report-sr';
import { srSourceFromDicom } from './source';

const bytesOf = (u: URL) => {
  const b = readFileSync(u);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};
const source = srSourceFromDicom(bytesOf(new URL('../../e2e/fixtures/imaging/dcm-mono2-explicit.dcm', import.meta.url)));
const device = { name: 'CXR-LLaVA v2 (q4f16_1)', modelId: 'cxr-llava-v2', randomWeights: false, softwareVersion: '1' };

const code = (value: string, scheme: string, meaning: string) => [{ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning }];

/** A radiologist's signed report as another system writes it: Comprehensive SR, sections as containers. */
function signedReport(): ArrayBuffer {
  const text = (name: string, value: string) => ({ RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: code('121071', 'DCM', name), TextValue: value });
  const dataset: NaturalDataset = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.33',
    SOPInstanceUID: '2.25.42',
    ContentDate: '20230115',
    ContentTime: '101500',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'VERIFIED',
    VerifyingObserverSequence: [{ VerifyingObserverName: [{ Alphabetic: 'Doe^Jane' }], VerificationDateTime: '20230115110000', VerifyingOrganization: 'St Example' }],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: code('18748-4', 'LN', 'Diagnostic imaging report'),
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: [
      { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'PNAME', ConceptNameCodeSequence: code('121008', 'DCM', 'Person Observer Name'), PersonName: [{ Alphabetic: 'Doe^Jane' }] },
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: code('11329-0', 'LN', 'History'),
        ContinuityOfContent: 'SEPARATE',
        ContentSequence: [{ RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: code('11329-0', 'LN', 'History'), TextValue: 'Evaluate for pneumothorax.' }],
      },
      { RelationshipType: 'CONTAINS', ValueType: 'CONTAINER', ConceptNameCodeSequence: code('121070', 'DCM', 'Findings'), ContinuityOfContent: 'SEPARATE', ContentSequence: [text('Finding', 'Heart size normal.\r\nLungs clear.')] },
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: code('121072', 'DCM', 'Impressions'),
        ContinuityOfContent: 'SEPARATE',
        ContentSequence: [
          { RelationshipType: 'CONTAINS', ValueType: 'CODE', ConceptNameCodeSequence: code('121073', 'DCM', 'Impression'), ConceptCodeSequence: code('17621005', 'SCT', 'Normal') },
          { RelationshipType: 'CONTAINS', ValueType: 'IMAGE', ReferencedSOPSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.1', ReferencedSOPInstanceUID: '2.25.1' }] },
        ],
      },
    ],
  };
  const meta: NaturalDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return dict.write();
}

describe('a report SR read back as a prior report', () => {
  it("reads the app's own draft: preliminary, the model as author, the text, the measurements and the comments", () => {
    const measurements = reportMeasurements({ pixelSpacing: [0.1, 0.1], spacingBasis: { kind: 'detector' }, meta: [] }, [{ a: { x: 0, y: 0 }, b: { x: 423, y: 0 } }])!;
    const sr = buildReportSr({ source, text: 'Findings: No focal consolidation.\nImpression: Normal chest.', device, now: new Date(2026, 0, 31, 9, 0, 0), measurements });
    const r = readReportSr(sr.bytes.slice().buffer);
    expect(r).toMatchObject({ sopInstanceUID: sr.sopInstanceUID, title: 'Diagnostic imaging report', date: '2026-01-31', status: 'preliminary', author: device.name });
    // The Findings heading is not said twice over text that begins with it.
    expect(r.text.split('\n')).toEqual([
      'Findings: No focal consolidation.',
      'Impression: Normal chest.',
      'Length: 42.3 mm',
      'Comment: Preliminary draft written by an AI model; not verified by a radiologist. Not for clinical use without review.',
      'Comment: Measurements drawn by the reader on the image, not by the model (at the detector, not corrected for magnification).',
    ]);
    // The text as the reader left it, to go on from elsewhere: not the comments, not the data.
    expect(r.draft).toBe('Findings: No focal consolidation.\nImpression: Normal chest.');
    expect(r.indication).toBeNull();
    // With the reason for the study: a section of its own, read as such and said under its heading.
    const asked = readReportSr(buildReportSr({ source, text: 'Impression: Normal chest.', device, now: new Date(2026, 0, 31, 9, 0, 0), indication: 'Cough and fever\n? pneumonia' }).bytes.slice().buffer);
    expect(asked.indication).toBe('Cough and fever\n? pneumonia');
    expect(asked.text.split('\n').slice(0, 5)).toEqual(['Indications for Procedure:', 'Cough and fever', '? pneumonia', '', 'Findings:']);
    expect(asked.draft).toBe('Impression: Normal chest.');
    // Read against another report, the order's words are left out: "? pneumonia" is no finding.
    expect(asked.reported).not.toContain('pneumonia');
    expect(asked.reported).toMatch(/^Findings:\nImpression: Normal chest\./);
  });

  it("reads the app's own signed report: final, signed by the reader (title included), the text to go on from", () => {
    const reader = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    const sr = buildReportSr({ source, text: 'Impression: Normal chest.', device, now: new Date(2026, 0, 31, 9, 5, 0), signature: { reader, at: new Date(2026, 0, 31, 9, 4, 0).getTime() } });
    const r = readReportSr(sr.bytes.slice().buffer);
    expect(r).toMatchObject({ status: 'final', author: 'Dr Jane Doe', draft: 'Impression: Normal chest.', sopClassUID: sr.sopClassUID, seriesInstanceUID: sr.seriesInstanceUID });
    expect(r.verifier).toEqual({ personName: 'Doe^Jane^^Dr', organization: 'St Example Hospital', at: new Date(2026, 0, 31, 9, 4, 0).getTime() });
    // Gone on from, it is amended: the signature as the reader had it on screen.
    expect(filedSignature(r)).toEqual({ reader, at: new Date(2026, 0, 31, 9, 4, 0).getTime(), text: 'Impression: Normal chest.' });
    expect(filedSignature({ ...r, status: 'preliminary' })).toBeNull();
    expect(filedSignature({ ...r, verifier: { ...r.verifier!, organization: '' } })).toBeNull();
    expect(r.text).toContain('Comment: Drafted by an AI model (the observer device); reviewed and signed by the verifying observer.');
  });

  it("reads a radiologist's signed report from another system: final, the verifier, sections as headings, codes as words", () => {
    const r = readReportSr(signedReport());
    expect(r).toMatchObject({ title: 'Diagnostic imaging report', date: '2023-01-15', status: 'final', author: 'Jane Doe' });
    expect(r.text).toBe('History:\nEvaluate for pneumothorax.\n\nFindings:\nHeart size normal.\nLungs clear.\n\nImpressions:\nImpression: Normal');
    // Its findings without the order's words: the history's "pneumothorax" is no finding.
    expect(r.reported).toBe('Findings:\nHeart size normal.\nLungs clear.\n\nImpressions:\nImpression: Normal');
    expect(r.indication).toBeNull();
    // Another writer's report is no draft of this app's to go on from.
    expect(r.draft).toBeNull();
  });

  it('says why a file is not a report', () => {
    expect(() => readReportSr(bytesOf(new URL('../../e2e/fixtures/imaging/dcm-mono2-explicit.dcm', import.meta.url)))).toThrow(/^Not a structured report \(SOP Class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.7\)/);
    expect(() => readReportSr(new Uint8Array([1, 2, 3]).buffer)).toThrow(/^The report could not be read/);
  });
});
