import type { AppState } from '../state/store';
import { patientIdentifiers, summarizeStudy, type ModelLabel, type PatientIdentifiers, type ReportDocument } from './context';
import { reportChanges } from './draft-changes';
import { parseFindings } from './findings';
import { reportMeasurements } from './structured-measurements';
import { openSignature, studyIndication } from '../state/report-slice';
import { openImageLengths } from '../state/study-slice';
import { describeVerification, NOT_VERIFIED } from '../state/verification-slice';

/** The model that wrote (or will write) the draft: the loaded one, else the one found. */
export function modelLabel(s: Pick<AppState, 'load' | 'model'> & Partial<Pick<AppState, 'verification'>>): ModelLabel | null {
  const v = s.verification ?? NOT_VERIFIED;
  const verification = { status: v.status === 'running' ? ('unverified' as const) : v.status, text: describeVerification(v) };
  if (s.load.status === 'loaded') return { id: s.load.info.modelId, name: s.load.info.modelName, randomWeights: s.load.info.randomWeights, verification };
  if (s.model.status === 'found') return { id: s.model.manifest.id, name: s.model.manifest.name, randomWeights: s.model.manifest.randomWeights, verification };
  return null;
}

/** What every export is made from, read from the store. No patient identifiers. */
export function reportDocument(
  s: Pick<AppState, 'report' | 'reportPreset' | 'load' | 'model' | 'study'> & Partial<Pick<AppState, 'verification' | 'imageLengths' | 'signature' | 'modelReport' | 'indication'>>,
  now = new Date(),
): ReportDocument {
  const signature = openSignature({ report: s.report, signature: s.signature ?? null });
  const aiDraft = reportChanges({ modelReport: s.modelReport ?? null, report: s.report });
  const indication = studyIndication({ indication: s.indication ?? null, study: s.study });
  const measurements = s.study ? reportMeasurements(s.study.image, openImageLengths({ study: s.study, imageLengths: s.imageLengths ?? null })) : null;
  return {
    text: s.report,
    preset: s.reportPreset,
    model: modelLabel(s),
    study: s.study ? summarizeStudy(s.study.image) : null,
    now,
    ...(s.reportPreset === 'findings' ? { findings: parseFindings(s.report) } : {}),
    ...(measurements ? { measurements } : {}),
    // The signature goes with the text it signed, never with another.
    ...(signature ? { signature } : {}),
    ...(aiDraft ? { aiDraft } : {}),
    ...(indication ? { indication } : {}),
  };
}

/** The open study's patient identifiers: only for an export the user asked to identify. */
export function studyPatient(s: Pick<AppState, 'study'>): PatientIdentifiers | null {
  if (!s.study) return null;
  const p = patientIdentifiers(s.study.image);
  return p.name || p.id || p.birthDate || p.sex ? p : null;
}
