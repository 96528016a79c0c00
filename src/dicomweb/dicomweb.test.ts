import { describe, expect, it } from 'vitest';
import { authorizationHeaders, normaliseRoot } from './connection';
import { api } from 'dicomweb-client';
import { DicomwebError, fromHttpFailure } from './errors';
import { includeFields } from './include-fields';
import { personName, studyRow, type InstanceRow } from './records';
import { DicomwebServer } from './server';
import { EMPTY_QUERY, studyQueryParams } from './study-query';

describe('DICOMweb study query', () => {
  it('defaults to CR/DX studies, a prefix name match and a bounded list', () => {
    const p = studyQueryParams({ ...EMPTY_QUERY, patientName: 'Test', patientId: ' PID-1 ', dateFrom: '2024-01-01', dateTo: '2024-01-31' });
    expect(p).toMatchObject({ PatientID: 'PID-1', PatientName: 'Test*', StudyDate: '20240101-20240131', ModalitiesInStudy: 'CR,DX', limit: '50' });
    expect(studyQueryParams({ ...EMPTY_QUERY, patientName: 'Te?t*' }).PatientName).toBe('Te?t*');
    expect(studyQueryParams({ ...EMPTY_QUERY, dateFrom: '2024-02-01' }).StudyDate).toBe('20240201-');
  });

  it('asks for several attributes as repeated includefield parameters, which dicomweb-client leaves unencoded', () => {
    const url = (api.DICOMwebClient as unknown as { _parseQueryParameters(p: Record<string, string>): string })._parseQueryParameters;
    expect(url({ PatientID: 'PID 1', ...includeFields(['00081030', '00201208', '00185101']) })).toBe('?PatientID=PID%201&includefield=00081030&includefield=00201208&includefield=00185101');
    expect(url(includeFields(['00081030']))).toBe('?includefield=00081030');
    expect(includeFields([])).toEqual({});
    expect(url(studyQueryParams({ ...EMPTY_QUERY, patientId: 'PID-1' }))).toBe('?PatientID=PID-1&ModalitiesInStudy=CR%2CDX&limit=50&includefield=00081030&includefield=00201208');
  });

  it('says what is wrong with a bad date range or modality', () => {
    expect(() => studyQueryParams({ ...EMPTY_QUERY, dateFrom: '2024-02-01', dateTo: '2024-01-01' })).toThrow(/ends before it starts/);
    expect(() => studyQueryParams({ ...EMPTY_QUERY, dateTo: '31/01/2024' })).toThrow(/YYYY-MM-DD/);
    expect(() => studyQueryParams({ ...EMPTY_QUERY, modalities: ['C R'] })).toThrow(DicomwebError);
  });
});

describe('DICOMweb connection', () => {
  it('puts credentials in an Authorization header (UTF-8 basic, bearer), never in the URL', () => {
    expect(authorizationHeaders({ kind: 'none' })).toEqual({});
    expect(authorizationHeaders({ kind: 'basic', user: 'rad', password: 'pä55' })).toEqual({ Authorization: `Basic ${Buffer.from('rad:pä55', 'utf8').toString('base64')}` });
    expect(authorizationHeaders({ kind: 'bearer', token: ' abc.def ' })).toEqual({ Authorization: 'Bearer abc.def' });
    expect(() => normaliseRoot('http://u:p@pacs/dicom-web', 'http://app/')).toThrow(/sign-in fields/);
    expect(normaliseRoot('/dicomweb/', 'http://127.0.0.1:5173/x')).toBe('http://127.0.0.1:5173/dicomweb');
    expect(() => normaliseRoot('javascript:alert(1)', 'http://app/')).toThrow(/http\(s\)/);
    expect(() => normaliseRoot(' ', 'http://app/')).toThrow(/Enter/);
  });

  it('turns HTTP failures into messages that say what to do', () => {
    const e = (status: number) => fromHttpFailure(Object.assign(new Error('request failed'), { status }), 'Searching');
    expect(e(0).code).toBe('unreachable');
    expect(e(502).code).toBe('unreachable');
    expect(e(401).code).toBe('unauthorized');
    expect(e(401).message).toMatch(/credentials/);
    expect(e(403).code).toBe('forbidden');
    expect(e(404).code).toBe('not-found');
    expect(e(500).message).toMatch(/HTTP 500/);
  });
});

describe('QIDO records', () => {
  it('reads a study from DICOM JSON (as Orthanc sends it)', () => {
    const row = studyRow({
      '00080020': { vr: 'DA', Value: ['20240131'] },
      '00080050': { vr: 'SH', Value: ['ACC1'] },
      '00080061': { vr: 'CS', Value: ['DX', 'SR'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Test^Patient^1' }] },
      '00100020': { vr: 'LO', Value: ['PID-1'] },
      '0020000D': { vr: 'UI', Value: ['1.2.3'] },
      '00201208': { vr: 'IS', Value: [2] },
    });
    expect(row).toEqual({ studyUID: '1.2.3', patientName: 'Test, Patient 1', patientId: 'PID-1', accession: 'ACC1', date: '2024-01-31', description: '', modalities: ['DX', 'SR'], instances: 2 });
    expect(personName('Doe^Jane^^Dr')).toBe('Doe, Dr Jane');
  });
});

describe('refusing what cannot be read, before any download', () => {
  // A server on the discard port: had retrieve() asked it anything, the error would be another.
  const server = new DicomwebServer({ url: 'http://127.0.0.1:9/dicom-web', auth: { kind: 'none' } }, 'http://127.0.0.1:5173/');
  const row = (o: Partial<InstanceRow>): InstanceRow => ({ studyUID: '1.2', seriesUID: '1.2.3', sopUID: '1.2.3.4', modality: 'DX', seriesDescription: '', instanceNumber: 1, viewPosition: null, frames: 1, rows: 2000, columns: 2000, bitsAllocated: 16, ...o });

  it('a radiograph over the pixel limit, and a multi-frame instance too big to pull into the tab, from their QIDO attributes', async () => {
    await expect(server.retrieve(row({ rows: 20000, columns: 20000 }))).rejects.toMatchObject({ code: 'too-large', message: expect.stringMatching(/20000 × 20000 pixels; the limit is 100 megapixels/) });
    await expect(server.retrieve(row({ frames: 200000 }))).rejects.toMatchObject({ code: 'too-large', message: expect.stringMatching(/200000 frames \(about \d+ MB\); only single radiographs are read/) });
  });

  it('says which sign-in problem it is: 401 asks for credentials, 403 says these may not', () => {
    const e = (status: number) => fromHttpFailure(Object.assign(new Error('request failed'), { status }), 'Retrieving the image');
    expect(e(401).message).toMatch(/^Retrieving the image failed: the server asks for credentials \(HTTP 401\)\. Check the sign-in method/);
    expect(e(403).message).toMatch(/^Retrieving the image failed: these credentials may not do this \(HTTP 403\)/);
    expect(e(403).status).toBe(403);
  });
});
