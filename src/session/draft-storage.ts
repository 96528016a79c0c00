import { clear, createStore, del, get, set, setMany } from 'idb-keyval';
import type { StopReason } from '../generate/chat-session';
import { asSignature, type ReportSignature } from '../report/signature';
import type { ChatMessage, ReportPreset, ReportVersion } from '../state/report-slice';

/**
 * A study's draft as stored (IndexedDB, and the write-ahead journal), and reading one back: what
 * this version can read, with the signature only where it signs the stored text.
 */

export interface Draft {
  schema: 1;
  /** The study's fingerprint (studyFingerprint), or SCRATCH for text written with no image open. */
  key: string;
  savedAt: number;
  /** What the study is, without identifiers ("DICOM · CR · PA · 2048 × 2500 px"). */
  label: string;
  report: string;
  reportPreset: ReportPreset | null;
  versions: ReportVersion[];
  chat: ChatMessage[];
  /** The follow-up question being typed; absent in drafts saved before it was kept. */
  chatInput?: string;
  /** The reason for the study as the reader typed it; absent or null: as the file says. */
  indication?: string | null;
  /** The reader's signature on the report; absent in drafts saved before reports were signed. */
  signature?: ReportSignature | null;
  /** The signed report being amended. */
  amending?: ReportSignature | null;
  /** The model's own text of the report (its edits apart); absent when not known. */
  modelReport?: string | null;
  /** How the model's last writing of the report ended (a Stop, its length limit, the page gone mid-report); absent: not known. */
  reportEnd?: { reason: StopReason; added: number } | null;
}

/** Text typed before any image was opened; it moves to the first study opened. */
export const SCRATCH = 'scratch';
export const DRAFTS_DB = 'cxr-llava-drafts';
const LAST_OPEN = 'meta:last-open';
/** The IndexedDB key of a study's draft (the worklist writes drafts for studies not yet open). */
export const draftKey = (key: string) => `draft:${key}`;

export interface DraftStorage {
  load(key: string): Promise<Draft | undefined>;
  /** Saves the draft and remembers it as the last one open. */
  save(draft: Draft): Promise<void>;
  remove(key: string): Promise<void>;
  /** Remembers which study is open, with or without a draft yet. */
  markOpen(key: string): Promise<void>;
  lastKey(): Promise<string | undefined>;
  clear(): Promise<void>;
}

export function idbDraftStorage(dbName = DRAFTS_DB): DraftStorage {
  const store = createStore(dbName, 'drafts');
  return {
    load: async (key) => asDraft(await get(draftKey(key), store)),
    save: (d) => setMany([[draftKey(d.key), d], [LAST_OPEN, d.key]], store),
    remove: (key) => del(draftKey(key), store),
    markOpen: (key) => set(LAST_OPEN, key, store),
    lastKey: async () => {
      const k: unknown = await get(LAST_OPEN, store);
      return typeof k === 'string' ? k : undefined;
    },
    clear: () => clear(store),
  };
}

/** A stored value, if it is a draft this version can read. */
export function asDraft(v: unknown): Draft | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const d = v as Partial<Draft>;
  const ok =
    d.schema === 1 &&
    typeof d.key === 'string' &&
    typeof d.savedAt === 'number' &&
    typeof d.report === 'string' &&
    Array.isArray(d.versions) &&
    Array.isArray(d.chat) &&
    d.versions.every((x) => typeof x?.text === 'string') &&
    d.chat.every((m) => typeof m?.text === 'string' && (m.role === 'user' || m.role === 'assistant'));
  return ok
    ? {
        ...(d as Draft),
        label: typeof d.label === 'string' ? d.label : '',
        reportPreset: d.reportPreset ?? null,
        chatInput: typeof d.chatInput === 'string' ? d.chatInput : '',
        indication: typeof d.indication === 'string' ? d.indication : null,
        ...signed(d),
        modelReport: typeof d.modelReport === 'string' ? d.modelReport : undefined,
        reportEnd: asReportEnd(d.reportEnd),
      }
    : undefined;
}

function asReportEnd(v: unknown): Draft['reportEnd'] {
  const e = v as Draft['reportEnd'];
  return e && ['eos', 'length', 'interrupted'].includes(e.reason) && typeof e.added === 'number' ? { reason: e.reason, added: e.added } : undefined;
}

/** The draft's signature, if it is one; it counts only for the text it signed (a report changed outside the app is a draft again). */
function signed(d: Partial<Draft>): Pick<Draft, 'signature' | 'amending'> {
  const signature = asSignature(d.signature);
  const amending = asSignature(d.amending);
  return { signature: signature && signature.text === d.report ? signature : undefined, amending: amending ?? undefined };
}
