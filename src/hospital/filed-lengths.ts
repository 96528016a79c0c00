import { DicomwebError } from '../dicomweb/errors';
import { DicomwebServer } from '../dicomweb/server';
import type { HospitalStore } from './hospital-store';

/**
 * The lengths filed on the server with an open image (its study's presentation states: this app's,
 * sent before from this or another workstation, or another viewer's), for the viewer to show
 * beside the reader's own. Looked up when an image opens from the server, and for a dropped DICOM
 * file when its prior studies are looked up. The image is open already; this only adds to it.
 */
export async function lookUpFiledLengths(h: HospitalStore, studyKey: string, studyUID: string, sopUID: string): Promise<void> {
  const { connection, setFiled } = h.getState();
  setFiled(studyKey, { status: 'busy', what: 'Looking for lengths filed with the image…' });
  try {
    setFiled(studyKey, { status: 'done', value: await new DicomwebServer(connection).presentationLengths(studyUID, sopUID) });
  } catch (err) {
    setFiled(studyKey, { status: 'error', code: err instanceof DicomwebError ? err.code : 'failed', message: err instanceof Error ? err.message : String(err) });
  }
}
