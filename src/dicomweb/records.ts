import dcmjs, { type DicomJson, type NaturalDataset } from 'dcmjs';

/**
 * QIDO-RS answers (DICOM JSON, PS3.18 F.2) as the rows the study browser lists. dcmjs turns the
 * JSON into keyword -> value; these helpers pick what is shown and tolerate what a server leaves out.
 */

export interface StudyRow {
  studyUID: string;
  patientName: string;
  patientId: string;
  accession: string;
  /** YYYY-MM-DD, or '' */
  date: string;
  description: string;
  modalities: string[];
  /** Number of Study Related Instances, when the server says. */
  instances: number | null;
}

export interface InstanceRow {
  studyUID: string;
  seriesUID: string;
  sopUID: string;
  modality: string;
  seriesDescription: string;
  instanceNumber: number | null;
  /** View Position (PA, AP, LATERAL, ...), upper case, when the server gives it. */
  viewPosition: string | null;
  frames: number;
  rows: number | null;
  columns: number | null;
  bitsAllocated: number | null;
}

export function naturalise(json: unknown): NaturalDataset {
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(json as DicomJson);
}

export function str(d: NaturalDataset, key: string): string {
  const v = d[key];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return '';
  if (typeof first === 'object' && 'Alphabetic' in first) return String((first as { Alphabetic?: unknown }).Alphabetic ?? '');
  return String(first);
}

export function list(d: NaturalDataset, key: string): string[] {
  const v = d[key];
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]).map(String).filter(Boolean);
}

export function num(d: NaturalDataset, key: string): number | null {
  const s = str(d, key);
  if (!s.trim()) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function isoDate(da: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : da;
}

/** The patient name as a person reads it: "Test^Patient^1" -> "Test, Patient 1". */
export function personName(pn: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = pn.split('^');
  const rest = [prefix, given, middle, suffix].filter(Boolean).join(' ');
  return [family, rest].filter(Boolean).join(', ');
}

export function studyRow(json: unknown): StudyRow {
  const d = naturalise(json);
  return {
    studyUID: str(d, 'StudyInstanceUID'),
    patientName: personName(str(d, 'PatientName')),
    patientId: str(d, 'PatientID'),
    accession: str(d, 'AccessionNumber'),
    date: isoDate(str(d, 'StudyDate')),
    description: str(d, 'StudyDescription'),
    modalities: list(d, 'ModalitiesInStudy'),
    instances: num(d, 'NumberOfStudyRelatedInstances'),
  };
}

export function instanceRow(json: unknown, series: { studyUID: string; seriesUID: string; modality: string; description: string }): InstanceRow {
  const d = naturalise(json);
  return {
    studyUID: series.studyUID,
    seriesUID: series.seriesUID,
    sopUID: str(d, 'SOPInstanceUID'),
    modality: series.modality,
    seriesDescription: series.description,
    instanceNumber: num(d, 'InstanceNumber'),
    viewPosition: str(d, 'ViewPosition').trim().toUpperCase() || null,
    frames: num(d, 'NumberOfFrames') ?? 1,
    rows: num(d, 'Rows'),
    columns: num(d, 'Columns'),
    bitsAllocated: num(d, 'BitsAllocated'),
  };
}
