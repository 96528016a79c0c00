import { modelFitWarning } from '../imaging/model-fit';
import type { DecodedImage } from '../imaging/types';
import type { ReportPreset } from '../state/report-slice';
import type { FindingRow } from './findings';
import type { ChangeSummary } from './draft-changes';
import type { ReportSignature } from './signature';
import type { ReportMeasurements } from './structured-measurements';

/** The model that wrote the draft, as its manifest names it. */
export interface ModelLabel {
  id: string;
  name: string;
  /** Random-weight test models: their output means nothing, and every export says so. */
  randomWeights: boolean;
  /**
   * The model's self-check on this device (src/selfcheck/): every export says whether the model
   * was verified, failed, or never was. Absent: not known (e.g. the CLI).
   */
  verification?: { status: 'verified' | 'failed' | 'unverified'; text: string };
}

/** What an export may say about the study: nothing that identifies the patient. */
export interface StudySummary {
  format: DecodedImage['format'];
  width: number;
  height: number;
  modality?: string;
  viewPosition?: string;
  /** YYYY-MM-DD, when the file has a valid DICOM Study Date. */
  studyDate?: string;
  /** When the header says the image is not a frontal chest radiograph (imaging/model-fit.ts). */
  fitWarning?: string;
}

/** Patient identifiers from the file; exports carry them only when the user asks. */
export interface PatientIdentifiers {
  name?: string;
  id?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  sex?: 'male' | 'female' | 'other' | 'unknown';
}

/** Everything an export is made from. */
export interface ReportDocument {
  text: string;
  preset: ReportPreset | null;
  model: ModelLabel | null;
  study: StudySummary | null;
  /** When the export is made. */
  now: Date;
  /** The findings table, for reports from the findings preset. */
  findings?: FindingRow[];
  /** The lengths and the ratio the reader drew on the image, which exports carry as data. */
  measurements?: ReportMeasurements;
  /** The reader's signature: the report is theirs and final. Absent: an unsigned draft. */
  signature?: ReportSignature;
  /** How much of the model's draft the report keeps (when the model's own text is known). */
  aiDraft?: ChangeSummary;
  /** Why the study was asked for (typed by the reader, else the file's): the question the report answers. */
  indication?: string;
}

export const DISCLAIMER = 'AI-generated draft — not for clinical use without radiologist review';

export const PRESET_TITLES: Record<ReportPreset, string> = {
  report: 'Report',
  differential: 'Differential diagnosis',
  findings: 'Findings (CheXpert observations)',
  question: 'Answer',
};

const EMPTY = new Set(['', '—']);

/** A header field that does not identify the patient, when it has a value (exports, report phrases, the panel). */
export function headerField(image: Pick<DecodedImage, 'meta'> | null, key: string): string | undefined {
  const f = image?.meta.find((m) => m.key === key);
  return f && !f.identifying && !EMPTY.has(f.value.trim()) ? f.value.trim() : undefined;
}

/** Only the non-identifying fields, picked by name: a new metadata row never leaks by default. */
export function summarizeStudy(image: DecodedImage): StudySummary {
  const date = headerField(image, 'studyDate');
  const fitWarning = modelFitWarning(image.meta);
  return {
    format: image.format,
    width: image.width,
    height: image.height,
    modality: headerField(image, 'modality'),
    viewPosition: headerField(image, 'viewPosition'),
    studyDate: date && isCalendarDate(date) ? date : undefined,
    ...(fitWarning ? { fitWarning } : {}),
  };
}

/** The patient identifiers a DICOM file holds (for exports the user asked to identify). */
export function patientIdentifiers(image: DecodedImage): PatientIdentifiers {
  const get = (key: string) => {
    const v = image.meta.find((m) => m.key === key)?.value.trim();
    return v && !EMPTY.has(v) ? v : undefined;
  };
  const birth = get('birthDate');
  const birthDate = birth && /^\d{8}$/.test(birth) ? `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}` : birth;
  const sex = ({ M: 'male', F: 'female', O: 'other' } as const)[get('sex') ?? ''] ?? undefined;
  return {
    name: get('patientName'),
    id: get('patientId'),
    birthDate: birthDate && isCalendarDate(birthDate) ? birthDate : undefined,
    sex,
  };
}

/** One line describing the study, e.g. "DICOM · CR · PA · 2048 × 2500 px". */
export function describeStudy(study: StudySummary): string {
  return [study.format.toUpperCase(), study.modality, study.viewPosition, `${study.width} × ${study.height} px`].filter(Boolean).join(' · ');
}

export function describeModel(model: ModelLabel | null): string {
  if (!model) return 'unknown model';
  const weights = model.randomWeights ? ' — RANDOM WEIGHTS, output is meaningless' : '';
  return `${model.name} (${model.id})${weights}${model.verification ? ` — model self-check: ${model.verification.text}` : ''}`;
}

/** A real YYYY-MM-DD date (not 2024-02-30). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

/** "2025-03-04" for file names, in local time. */
export function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** "2025-03-04 14:05" in local time, for headers. */
export function localDateTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${localDate(d)} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
