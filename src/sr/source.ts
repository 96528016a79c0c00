import dcmjs, { type NaturalDataset } from 'dcmjs';

/**
 * What a report SR copies from the image it is about (PS3.3 C.7.1.1 Patient, C.7.2.1 General
 * Study) and how it points back at it (SOP Class/Instance, its series). Read from the image's own
 * DICOM header, whichever way the file arrived (a DICOMweb server or a dropped file).
 */
export interface SrSource {
  StudyInstanceUID: string;
  SeriesInstanceUID: string;
  SOPClassUID: string;
  SOPInstanceUID: string;
  /** Copied as read (dcmjs's natural form: PN as [{ Alphabetic }], strings as strings). */
  patientAndStudy: NaturalDataset;
}

/** Patient and General Study attributes the SR repeats, so it files under the same patient/study. */
const COPIED = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'StudyDate',
  'StudyTime',
  'StudyID',
  'AccessionNumber',
  'ReferringPhysicianName',
  'StudyDescription',
] as const;

export class SrSourceError extends Error {
  override name = 'SrSourceError';
}

/** The SR source of a DICOM file's bytes; throws SrSourceError when the file lacks what an SR needs. */
export function srSourceFromDicom(bytes: ArrayBuffer): SrSource {
  let natural: NaturalDataset;
  try {
    // Stop before the pixel data: only the header is needed.
    const file = dcmjs.data.DicomMessage.readFile(bytes, { untilTag: '7FE00010', includeUntilTagValue: false });
    natural = dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict);
  } catch (err) {
    throw new SrSourceError(`The image's DICOM header could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const uid = (k: string) => {
    const v = natural[k];
    if (typeof v !== 'string' || !v.trim()) throw new SrSourceError(`The image has no ${k}, so a report cannot be filed with it.`);
    return v.trim();
  };
  const patientAndStudy: NaturalDataset = {};
  for (const k of COPIED) if (natural[k] !== undefined) patientAndStudy[k] = natural[k];
  return {
    StudyInstanceUID: uid('StudyInstanceUID'),
    SeriesInstanceUID: uid('SeriesInstanceUID'),
    SOPClassUID: uid('SOPClassUID'),
    SOPInstanceUID: uid('SOPInstanceUID'),
    patientAndStudy,
  };
}
