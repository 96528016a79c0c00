import { describe, expect, it } from 'vitest';
import type { OpenStudy } from '../state/study-slice';
import type { OpenedStudy } from './hospital-store';
import { comparisonLine, imagingModalities, priorsSubject } from './priors';

const study = { key: 'study-1-a.dcm' } as OpenStudy;
const opened = (patientAndStudy: Record<string, unknown>): Record<string, OpenedStudy> => ({
  [study.key]: { origin: 'file', source: { StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.1', SOPClassUID: '1.2', SOPInstanceUID: '1.2.3.1.1', patientAndStudy } },
});

describe('prior studies', () => {
  it("look up the patient the open image's header names, with the issuer, and leave the open study out", () => {
    expect(priorsSubject({ study }, { opened: opened({ PatientID: ' PID-1 ', IssuerOfPatientID: 'HOSP' }) })).toEqual({ patientId: 'PID-1', issuer: 'HOSP', studyUID: '1.2.3' });
    expect(priorsSubject({ study }, { opened: opened({ PatientID: 'PID-1' }) })).toEqual({ patientId: 'PID-1', issuer: '', studyUID: '1.2.3' });
  });

  it('say why there are none to look up: no image, a PNG, no Patient ID', () => {
    expect(priorsSubject({ study: null }, { opened: {} })).toEqual({ problem: 'Open an image to see its patient’s prior studies.' });
    expect(priorsSubject({ study }, { opened: { [study.key]: { origin: 'file', source: null, sourceProblem: 'A PNG file…' } } })).toMatchObject({ problem: expect.stringMatching(/^This image names no patient/) });
    expect(priorsSubject({ study }, { opened: opened({ PatientID: '  ' }) })).toMatchObject({ problem: expect.stringMatching(/no Patient ID/) });
  });

  it('name a prior by its imaging modalities, description and date in the comparison line', () => {
    expect(comparisonLine({ date: '2023-01-15', modalities: ['DX', 'SR'], description: ' Chest PA ' })).toBe('Comparison: DX Chest PA of 2023-01-15.');
    expect(comparisonLine({ date: '', modalities: ['KO'], description: '' })).toBe('Comparison: study of an unknown date.');
    expect(imagingModalities({ modalities: ['CR', 'DX', 'PR', 'sr'] })).toBe('CR/DX');
  });
});
