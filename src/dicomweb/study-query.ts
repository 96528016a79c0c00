import { DicomwebError } from './errors';
import { includeFields } from './include-fields';

/** What the study browser searches by (QIDO-RS, PS3.18 10.6). Empty fields match everything. */
export interface StudyQuery {
  patientId: string;
  patientName: string;
  accession: string;
  /** YYYY-MM-DD (an <input type="date"> value), or '' */
  dateFrom: string;
  dateTo: string;
  /** Modalities in study; chest radiographs are CR and DX. */
  modalities: string[];
}

export const IMAGE_MODALITIES = ['CR', 'DX'];
export const EMPTY_QUERY: StudyQuery = { patientId: '', patientName: '', accession: '', dateFrom: '', dateTo: '', modalities: IMAGE_MODALITIES };
/** A PACS may hold millions of studies: a search lists at most this many. */
export const STUDY_LIMIT = 50;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** QIDO query parameters for a study search; throws DicomwebError('bad-input') with what to fix. */
export function studyQueryParams(q: StudyQuery): Record<string, string> {
  const p: Record<string, string> = {};
  const id = q.patientId.trim();
  const name = q.patientName.trim();
  const acc = q.accession.trim();
  if (id) p.PatientID = id;
  // A name matches as a prefix unless the user wrote their own wildcard.
  if (name) p.PatientName = /[*?]/.test(name) ? name : `${name}*`;
  if (acc) p.AccessionNumber = acc;
  for (const [label, v] of [['From', q.dateFrom], ['To', q.dateTo]] as const) {
    if (v && !DATE.test(v)) throw new DicomwebError('bad-input', `Study date "${label}" must be a date (YYYY-MM-DD), not "${v}".`);
  }
  if (q.dateFrom && q.dateTo && q.dateFrom > q.dateTo) throw new DicomwebError('bad-input', 'The study date range ends before it starts.');
  if (q.dateFrom || q.dateTo) p.StudyDate = `${q.dateFrom.replace(/-/g, '')}-${q.dateTo.replace(/-/g, '')}`;
  const mods = q.modalities.map((m) => m.trim().toUpperCase()).filter(Boolean);
  if (mods.some((m) => !/^[A-Z0-9]{1,16}$/.test(m))) throw new DicomwebError('bad-input', `Modalities are codes such as CR or DX, not "${mods.join(', ')}".`);
  // A list of values: comma-separated in QIDO-RS (PS3.18 8.3.4.1); DIMSE's backslash matches
  // nothing on Orthanc.
  if (mods.length) p.ModalitiesInStudy = mods.join(',');
  p.limit = String(STUDY_LIMIT);
  return { ...p, ...includeFields(['00081030', '00201208']) };
}
