import { dicomParser } from './dicom-parser-interop';

/** What a DICOM file's header says about which image it is, read without its pixel data. */
export interface HeaderPeek {
  /** View Position (0018,5101), upper case. */
  view: string | null;
  /** Study Instance UID (0020,000D). */
  studyUid: string | null;
  /** Modality (0008,0060), upper case. */
  modality: string | null;
  /** For a list of studies: Patient's Name (with ^ as spaces), Accession Number, Study Date (YYYY-MM-DD). */
  patientName: string | null;
  accession: string | null;
  studyDate: string | null;
  /** Why the study was asked for (INDICATION_TAGS), for the worklist row. */
  indication: string | null;
}

/**
 * Where an order carries why the study was asked for, preferred first: Reason for the Requested
 * Procedure (0040,1002), Reason for Study (0032,1030, retired but still written), Additional Patient
 * History (0010,21B0).
 */
export const INDICATION_TAGS = ['x00401002', 'x00321030', 'x001021b0'] as const;

/** Most headers fit in the first read; a long one (embedded icons, private blocks) gets the second. */
const FIRST_BYTES = 32 * 1024;
const MAX_HEADER_BYTES = 256 * 1024;

/**
 * Headers already read, by file: files given at once are grouped by study and then ranked by view,
 * and a worklist row opened again ranks its files again; each header is read once.
 */
const peeked = new WeakMap<Blob, Promise<HeaderPeek | null>>();

/** The header of a DICOM file; null for other files, or a header cut short or longer than 256 KiB. */
export function peekHeader(file: Blob): Promise<HeaderPeek | null> {
  let header = peeked.get(file);
  if (!header) peeked.set(file, (header = readHeader(file)));
  return header;
}

async function readHeader(file: Blob): Promise<HeaderPeek | null> {
  for (const bytes of [FIRST_BYTES, MAX_HEADER_BYTES]) {
    try {
      const head = new Uint8Array(await file.slice(0, bytes).arrayBuffer());
      const ds = dicomParser.parseDicom(head, { untilTag: 'x7fe00010' });
      const text = (tag: string) => ds.string(tag)?.trim() || null;
      const date = text('x00080020');
      return {
        view: text('x00185101')?.toUpperCase() ?? null,
        studyUid: text('x0020000d'),
        modality: text('x00080060')?.toUpperCase() ?? null,
        patientName: text('x00100010')?.replace(/\^+/g, ' ').trim() || null,
        accession: text('x00080050'),
        studyDate: date && /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date,
        indication: INDICATION_TAGS.map(text).find(Boolean) ?? null,
      };
    } catch {
      // Not DICOM, or the header goes on past this read: try the longer one, if the file has more.
      if (file.size <= bytes) return null;
    }
  }
  return null;
}
