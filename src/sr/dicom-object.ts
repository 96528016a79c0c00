import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { SrSource } from './source';

/**
 * What every DICOM object the app files in an image's study shares (the report SR and the lengths'
 * presentation state): the image's Patient and General Study attributes, so the object files with
 * it, dates and times as DICOM writes them, and the Part 10 file written with dcmjs.
 */

/** The app as DICOM names it: the Manufacturer of every object it writes. */
export const APP_NAME = 'CXR-LLaVA Web';

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** dcmjs's implementation class UID (the library that writes the file). */
const IMPLEMENTATION_CLASS_UID = '2.25.80302813137786398554742050926734630921603366648225212145404';

/** Patient (C.7.1.1) and General Study (C.7.2.1) of the image, its type 2 attributes present even when empty. */
export function patientAndStudyOf(source: SrSource): NaturalDataset {
  const type2 = (k: string) => source.patientAndStudy[k] ?? '';
  return {
    ...source.patientAndStudy,
    PatientName: type2('PatientName'),
    PatientID: type2('PatientID'),
    PatientBirthDate: type2('PatientBirthDate'),
    PatientSex: type2('PatientSex'),
    StudyInstanceUID: source.StudyInstanceUID,
    StudyDate: type2('StudyDate'),
    StudyTime: type2('StudyTime'),
    ReferringPhysicianName: type2('ReferringPhysicianName'),
    StudyID: type2('StudyID'),
    AccessionNumber: type2('AccessionNumber'),
  };
}

/** The dataset as a Part 10 file (explicit VR little endian), its meta header naming class and instance. */
export function part10(dataset: NaturalDataset): Uint8Array {
  const meta: NaturalDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'CXR-LLaVA-Web',
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

export function dicomDate(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
}

export function dicomTime(d: Date): string {
  return `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
