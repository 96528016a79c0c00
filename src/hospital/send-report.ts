import { DicomwebError } from '../dicomweb/errors';
import { DicomwebServer } from '../dicomweb/server';
import { modelFitWarning } from '../imaging/model-fit';
import { buildLengthsPresentationState, type LengthsPresentationState } from '../sr/lengths-presentation-state';
import { APP_NAME, buildReportSr, type ReportSr, type SrDevice, type SrReference } from '../sr/report-sr';
import { reportChanges } from '../report/draft-changes';
import { reportMeasurements } from '../report/structured-measurements';
import type { AppState, AppStore } from '../state/store';
import { openSignature, studyIndication } from '../state/report-slice';
import { openImageLengths, openImageView } from '../state/study-slice';
import { describeVerification } from '../state/verification-slice';
import type { HospitalStore, OpenedStudy, SentReport } from './hospital-store';

/** Why the open study's report cannot become an SR now; null when it can. */
export function srBlocker(app: AppState, h: HospitalStore): string | null {
  if (!app.study) return 'Open an image first.';
  if (app.streaming) return 'Wait for the text to finish.';
  if (!app.report.trim()) return 'The report is empty.';
  const opened = h.getState().opened[app.study.key];
  if (!opened) return 'Open the image again to send its report (its header was not kept).';
  if (!opened.source) return opened.sourceProblem ?? 'The image has no DICOM header to file the report with.';
  return null;
}

/** The model as the SR's observer device (a loaded model, else the one the app would run). */
export function srDevice(app: AppState): SrDevice {
  if (app.load.status === 'loaded') {
    const i = app.load.info;
    return { name: i.modelName, modelId: i.modelId, randomWeights: i.randomWeights, softwareVersion: `${APP_NAME}; ${i.backend}` };
  }
  if (app.model.status === 'found') {
    const m = app.model.manifest;
    return { name: m.name, modelId: m.id, randomWeights: !!m.randomWeights, softwareVersion: APP_NAME };
  }
  return { name: 'unknown model', modelId: 'unknown', randomWeights: false, softwareVersion: APP_NAME };
}

/** The open image's measurements as one comparable string: what an SR sent now would hold beside the text. */
export function measuredKey(s: Pick<AppState, 'study' | 'imageLengths'>): string {
  return JSON.stringify(s.study ? reportMeasurements(s.study.image, openImageLengths(s)) : null);
}

/** Whether the SR last sent holds the report as it is now: the same text, measurements, signature and reason for the study. */
export function sentAsIs(
  sent: Pick<SentReport, 'text' | 'measured' | 'signedAt' | 'indication'>,
  s: Pick<AppState, 'report' | 'study' | 'imageLengths' | 'signature' | 'indication'>,
): boolean {
  return (
    sent.text.trim() === s.report.trim() &&
    sent.measured === measuredKey(s) &&
    sent.signedAt === (openSignature(s)?.at ?? null) &&
    (sent.indication ?? null) === (studyIndication(s) ?? null)
  );
}

/** The SR a report sent now replaces: the last one sent for the image, or the filed one continued from, whichever is later. */
export function predecessorOf(opened: Pick<OpenedStudy, 'sent' | 'continuedFrom'>): SrReference | null {
  const { sent, continuedFrom } = opened;
  if (sent && continuedFrom) return sent.at >= continuedFrom.at ? sent : continuedFrom;
  return sent ?? continuedFrom ?? null;
}

/** `presentationState`: the lengths' one sent with it, which the SR's image references go through. */
export function buildOpenStudySr(app: AppStore, h: HospitalStore, presentationState?: LengthsPresentationState): { sr: ReportSr; studyKey: string; studyUID: string } {
  const s = app.getState();
  const blocker = srBlocker(s, h);
  if (blocker) throw new DicomwebError('bad-input', blocker);
  const opened = h.getState().opened[s.study!.key]!;
  const source = opened.source!;
  const signature = openSignature(s);
  const fitWarning = modelFitWarning(s.study!.image.meta);
  const measurements = reportMeasurements(s.study!.image, openImageLengths(s));
  const aiDraft = reportChanges(s);
  const indication = studyIndication(s);
  const sr = buildReportSr({
    source,
    text: s.report,
    device: srDevice(s),
    now: new Date(),
    selfCheck: describeVerification(s.verification),
    ...(fitWarning ? { fitWarning } : {}),
    ...(measurements ? { measurements } : {}),
    ...(presentationState ? { presentationState } : {}),
    ...(signature ? { signature } : {}),
    ...(aiDraft ? { aiDraft } : {}),
    ...(indication ? { indication } : {}),
    // The SR it replaces: the one sent before for this image, or the filed one the reader went on from, whichever came last.
    ...(predecessorOf(opened) ? { predecessor: predecessorOf(opened)! } : {}),
  });
  return { sr, studyKey: s.study!.key, studyUID: source.StudyInstanceUID };
}

/**
 * The lengths drawn on the open image as a presentation state that shows the image as the viewer
 * shows it now; null with no lengths, or when no SR can be sent (srBlocker says why).
 */
export function buildOpenStudyPresentationState(app: AppStore, h: HospitalStore): LengthsPresentationState | null {
  const s = app.getState();
  const segments = openImageLengths(s);
  const view = openImageView(s);
  const source = s.study ? h.getState().opened[s.study.key]?.source : null;
  if (!segments.length || !view || !source || srBlocker(s, h)) return null;
  return buildLengthsPresentationState({ source, image: s.study!.image, segments, view, softwareVersion: srDevice(s).softwareVersion, now: new Date() });
}

/**
 * Builds the SR from the report as edited, with the lengths' presentation state when there are
 * lengths, and stores them in the image's study (STOW-RS, one request), for an image from the
 * server or a dropped DICOM file alike (its own header names the study).
 */
export async function sendReport(app: AppStore, h: HospitalStore): Promise<boolean> {
  const { set, markSent, connection } = h.getState();
  set({ send: { status: 'busy', what: 'Sending…' } });
  try {
    const text = app.getState().report;
    const measured = measuredKey(app.getState());
    const signedAt = openSignature(app.getState())?.at ?? null;
    const indication = studyIndication(app.getState()) ?? null;
    const ps = buildOpenStudyPresentationState(app, h);
    const { sr, studyKey, studyUID } = buildOpenStudySr(app, h, ps ?? undefined);
    await new DicomwebServer(connection).store(ps ? [sr.bytes, ps.bytes] : [sr.bytes], studyUID);
    markSent(studyKey, { seriesInstanceUID: sr.seriesInstanceUID, sopInstanceUID: sr.sopInstanceUID, sopClassUID: sr.sopClassUID, text, measured, signedAt, indication });
    set({ send: { status: 'done', value: { studyKey, sopInstanceUID: sr.sopInstanceUID, presentationStateUID: ps?.sopInstanceUID ?? null, signed: signedAt !== null } } });
    return true;
  } catch (err) {
    set({ send: { status: 'error', code: err instanceof DicomwebError ? err.code : 'failed', message: err instanceof Error ? err.message : String(err) } });
    return false;
  }
}
