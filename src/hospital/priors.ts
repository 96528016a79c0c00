import { DicomwebError } from '../dicomweb/errors';
import type { StudyRow } from '../dicomweb/records';
import { DicomwebServer } from '../dicomweb/server';
import { decodeImageFile } from '../imaging/decode';
import { ImagingError } from '../imaging/errors';
import type { AppState, AppStore } from '../state/store';
import { lookUpFiledLengths } from './filed-lengths';
import type { HospitalState, HospitalStore } from './hospital-store';

/**
 * Prior studies: the open image's patient's other studies on the DICOMweb server, and the reports
 * filed in them, for the comparison a radiologist makes with every read. The patient is the one the
 * open image's own header names (Patient ID, and its issuer when given), so a PNG or JPEG has none.
 */

/** The open study's patient and study as its header gives them, or why priors cannot be looked up. */
export function priorsSubject(app: Pick<AppState, 'study'>, h: Pick<HospitalState, 'opened'>): { patientId: string; issuer: string; studyUID: string } | { problem: string } {
  if (!app.study) return { problem: 'Open an image to see its patient’s prior studies.' };
  const opened = h.opened[app.study.key];
  if (!opened?.source) return { problem: 'This image names no patient (only a DICOM file does), so its prior studies cannot be looked up.' };
  const id = opened.source.patientAndStudy.PatientID;
  const patientId = typeof id === 'string' ? id.trim() : '';
  if (!patientId) return { problem: 'This image’s header has no Patient ID, so its prior studies cannot be looked up.' };
  const issuer = opened.source.patientAndStudy.IssuerOfPatientID;
  return { patientId, issuer: typeof issuer === 'string' ? issuer.trim() : '', studyUID: opened.source.StudyInstanceUID };
}

/** Looks up the open study's patient's other studies, newest first; the open one is left out. */
export async function findPriors(app: AppStore, h: HospitalStore): Promise<void> {
  const studyKey = app.getState().study?.key;
  const subject = priorsSubject(app.getState(), h.getState());
  if (!studyKey || 'problem' in subject) return;
  const { connection, set } = h.getState();
  set({ priors: { studyKey, studies: { status: 'busy', what: 'Looking for prior studies…' } } });
  let studies: Awaited<ReturnType<DicomwebServer['patientStudies']>>;
  try {
    studies = (await new DicomwebServer(connection).patientStudies(subject.patientId, subject.issuer)).filter((s) => s.studyUID !== subject.studyUID);
  } catch (err) {
    if (h.getState().priors?.studyKey === studyKey) set({ priors: { studyKey, studies: failure(err) } });
    return;
  }
  // Another image opened meanwhile has its own lookup.
  if (h.getState().priors?.studyKey !== studyKey) return;
  set({ priors: { studyKey, studies: { status: 'done', value: studies } } });
  // A dropped file's lengths filed on the server are looked up with its priors (one from the server had them on opening).
  const opened = h.getState().opened[studyKey];
  if (opened?.origin === 'file' && opened.source) void lookUpFiledLengths(h, studyKey, opened.source.StudyInstanceUID, opened.source.SOPInstanceUID);
}

/** Reads the reports filed in a study (once, unless `again`; again after a failure). */
export async function loadPriorReports(h: HospitalStore, studyUID: string, opts: { again?: boolean } = {}): Promise<void> {
  const { connection, setPriorReports, priorReports } = h.getState();
  const had = priorReports[studyUID];
  if (had && (had.status === 'busy' || (had.status === 'done' && !opts.again))) return;
  setPriorReports(studyUID, { status: 'busy', what: 'Reading the reports…' });
  try {
    setPriorReports(studyUID, { status: 'done', value: await new DicomwebServer(connection).studyReports(studyUID) });
  } catch (err) {
    setPriorReports(studyUID, failure(err));
  }
}

/**
 * Shows a prior's frontal radiograph beside the open image: its CR/DX images listed (frontal view
 * first, as for opening), the first retrieved and decoded like any image, none of it touching the
 * open study, its report or the model. Then the lengths the prior's presentation states draw on
 * that image (a measurement to compare with); if they cannot be read, the image stays and says so.
 */
export async function comparePrior(app: AppStore, h: HospitalStore, prior: StudyRow): Promise<void> {
  const studyKey = app.getState().study?.key;
  if (!studyKey) return;
  const { connection, set } = h.getState();
  const still = () => h.getState().compare?.prior?.studyUID === prior.studyUID && h.getState().compare?.studyKey === studyKey;
  set({ compare: { studyKey, prior, image: { status: 'busy', what: 'Retrieving the prior image…' } } });
  try {
    const server = new DicomwebServer(connection);
    const [first] = await server.imageInstances(prior.studyUID);
    const bytes = await server.retrieve(first!);
    const image = await decodeImageFile(bytes, `prior-${first!.sopUID}.dcm`);
    if (!still()) return;
    const shown = { status: 'done' as const, value: { image, viewPosition: first!.viewPosition } };
    set({ compare: { studyKey, prior, image: shown, lengths: { status: 'busy', what: 'Looking for lengths drawn on it…' } } });
    let lengths: NonNullable<NonNullable<HospitalState['compare']>['lengths']>;
    try {
      lengths = { status: 'done', value: await server.presentationLengths(prior.studyUID, first!.sopUID) };
    } catch (err) {
      lengths = failure(err);
    }
    if (still()) set({ compare: { studyKey, prior, image: shown, lengths } });
  } catch (err) {
    if (still()) set({ compare: { studyKey, prior, image: failure(err) } });
  }
}

/** Modalities of objects that are no images: reports, key object notes, presentation states. */
const NOT_IMAGES = new Set(['SR', 'KO', 'PR', 'DOC']);

/** The study's imaging modalities, "CR/DX", as a reader names a study. */
export function imagingModalities(prior: Pick<StudyRow, 'modalities'>): string {
  return prior.modalities.filter((m) => !NOT_IMAGES.has(m.toUpperCase())).join('/');
}

/** The report's comparison line for a prior: "Comparison: CR Chest PA of 2024-01-31." */
export function comparisonLine(prior: Pick<StudyRow, 'date' | 'modalities' | 'description'>): string {
  const what = [imagingModalities(prior), prior.description.trim()].filter(Boolean).join(' ') || 'study';
  return `Comparison: ${what} of ${prior.date || 'an unknown date'}.`;
}

function failure(err: unknown) {
  const code = err instanceof DicomwebError ? err.code : err instanceof ImagingError ? err.code : 'failed';
  return { status: 'error' as const, code, message: err instanceof Error ? err.message : String(err) };
}

/** The prior compared with the open study, if any (one compared with another image is not shown). */
export function openCompare(app: Pick<AppState, 'study'>, h: Pick<HospitalState, 'compare'>): HospitalState['compare'] {
  return app.study && h.compare?.studyKey === app.study.key ? h.compare : null;
}
