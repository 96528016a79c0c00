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

/**
 * Why a PNG or JPEG cannot be sent as an SR. A report filed as a new study would carry no
 * patient ID, accession or study: a PACS either parks it as an unmatched orphan or someone
 * reconciles it by hand, and a mismatch files the text under the wrong patient. A radiologist
 * expects the report next to the image it is about, so the app refuses and says where to go.
 */
export function notDicomProblem(kind: 'PNG' | 'JPEG'): string {
  return (
    `A ${kind} file has no patient, study or image identifiers, so its report cannot be filed in a study. ` +
    'Filed as a new study instead, a PACS would hold it as an unmatched orphan (or someone would match it by hand, to the right patient or not). ' +
    'Open the image from the hospital server, or its DICOM file, to send the report; the text can still be copied or exported.'
  );
}

/**
 * The SR source of a file opened in the app (dropped, picked, pasted, or retrieved from the
 * server): a DICOM file's own header (its study, patient and the instance the SR points back at),
 * or for anything else why none can be made. Read before decoding (the decoder takes the bytes).
 */
export function srSourceOfFile(bytes: ArrayBuffer): { source: SrSource } | { source: null; sourceProblem: string } {
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return { source: null, sourceProblem: notDicomProblem('PNG') };
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { source: null, sourceProblem: notDicomProblem('JPEG') };
  try {
    return { source: srSourceFromDicom(bytes) };
  } catch (err) {
    return { source: null, sourceProblem: err instanceof Error ? err.message : String(err) };
  }
}
