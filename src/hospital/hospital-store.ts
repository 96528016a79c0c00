import { createStore, type StoreApi } from 'zustand/vanilla';
import { DEFAULT_DICOMWEB_URL, type DicomwebConnection } from '../dicomweb/connection';
import type { InstanceRow, StudyRow } from '../dicomweb/records';
import type { FiledLengths, StudyReports } from '../dicomweb/server';
import { EMPTY_QUERY, type StudyQuery } from '../dicomweb/study-query';
import type { DecodedImage } from '../imaging/types';
import type { SrReference } from '../sr/report-sr';
import type { SrSource } from '../sr/source';
import type { AppStore } from '../state/store';

/**
 * The hospital workflow's state: the DICOMweb server and its sign-in, the last search, and for each
 * opened study (from the server or a dropped file) where it came from, the header an SR needs (or
 * why there is none) and whether its report was sent.
 *
 * Memory only, on purpose: credentials and patient identifiers never reach localStorage,
 * IndexedDB drafts or a URL. A reload signs out.
 */
export type Busy<T> = { status: 'idle' } | { status: 'busy'; what: string } | { status: 'done'; value: T } | { status: 'error'; code: string; message: string };

/** An SR sent for an image: which one, and what it held (to tell whether the report changed since). */
export interface SentReport extends SrReference {
  at: number;
  /** The report's text. */
  text: string;
  /** Its measurements, as measuredKey (send-report.ts) had them. */
  measured: string;
  /** When the reader signed it; null: sent as a draft. */
  signedAt: number | null;
  /** The reason for the study it carried (studyIndication); absent or null: none. */
  indication?: string | null;
}

export interface OpenedStudy {
  /** Retrieved from the DICOMweb server, or a file opened here (drop, picker, paste, worklist). */
  origin: 'server' | 'file';
  source: SrSource | null;
  /** Why no SR can be made for it, when source is null. */
  sourceProblem?: string;
  /** The last SR sent. */
  sent?: SentReport;
  /** A report filed in the study that the reader went on from (Continue from this draft), and when. */
  continuedFrom?: SrReference & { at: number };
  /** Lengths filed on the server with this image (its study's presentation states: filed-lengths.ts). */
  filed?: Busy<FiledLengths>;
}

export interface HospitalState {
  connection: DicomwebConnection;
  query: StudyQuery;
  search: Busy<StudyRow[]>;
  /** The study whose instances are listed, and the listing. */
  chosen: { study: StudyRow; instances: Busy<InstanceRow[]> } | null;
  opening: Busy<string>;
  /** By the app store's study key. */
  opened: Record<string, OpenedStudy>;
  /** The last send: the SR's UID, and the lengths' presentation state's when one went with it. */
  send: Busy<{ studyKey: string; sopInstanceUID: string; presentationStateUID: string | null; signed: boolean }>;
  /** The open study's patient's other studies on the server (priors.ts), for the study they were looked up for. */
  priors: { studyKey: string; studies: Busy<StudyRow[]> } | null;
  /** Reports read from a prior study, by its Study Instance UID. */
  priorReports: Record<string, Busy<StudyReports>>;
  /**
   * A prior shown beside an open image (priors.ts comparePrior): the open study it is compared
   * with (shown only beside that one: never beside another patient's image), the prior and its
   * frontal image, and the lengths its presentation states draw on that image. Or, with `prior`
   * null, another image of the files opened with it (its lateral: open-file.ts showBeside), `name`d.
   */
  compare: {
    studyKey: string;
    prior: StudyRow | null;
    name?: string;
    image: Busy<{ image: DecodedImage; viewPosition: string | null }>;
    lengths?: Busy<FiledLengths>;
  } | null;
  setConnection: (c: Partial<DicomwebConnection>) => void;
  setQuery: (q: Partial<StudyQuery>) => void;
  set: (patch: Partial<Pick<HospitalState, 'search' | 'chosen' | 'opening' | 'send' | 'priors' | 'compare'>>) => void;
  setPriorReports: (studyUID: string, reports: Busy<StudyReports>) => void;
  markOpened: (studyKey: string, o: OpenedStudy) => void;
  markSent: (studyKey: string, sent: Omit<SentReport, 'at'>) => void;
  markContinued: (studyKey: string, from: SrReference) => void;
  setFiled: (studyKey: string, filed: Busy<FiledLengths>) => void;
}

export type HospitalStore = StoreApi<HospitalState>;

export function createHospitalStore(): HospitalStore {
  return createStore<HospitalState>()((set) => ({
    connection: { url: DEFAULT_DICOMWEB_URL, auth: { kind: 'none' } },
    query: EMPTY_QUERY,
    search: { status: 'idle' },
    chosen: null,
    opening: { status: 'idle' },
    opened: {},
    send: { status: 'idle' },
    priors: null,
    priorReports: {},
    compare: null,
    setPriorReports: (uid, reports) => set((s) => ({ priorReports: { ...s.priorReports, [uid]: reports } })),
    setConnection: (c) => set((s) => ({ connection: { ...s.connection, ...c } })),
    setQuery: (q) => set((s) => ({ query: { ...s.query, ...q } })),
    set: (patch) => set(patch),
    markOpened: (key, o) => set((s) => ({ opened: { ...s.opened, [key]: o } })),
    setFiled: (key, filed) => set((s) => (s.opened[key] ? { opened: { ...s.opened, [key]: { ...s.opened[key], filed } } } : {})),
    markContinued: (key, from) =>
      set((s) => (s.opened[key] ? { opened: { ...s.opened, [key]: { ...s.opened[key], continuedFrom: { ...from, at: Date.now() } } } } : {})),
    markSent: (key, sent) =>
      set((s) => {
        const prev = s.opened[key];
        return prev ? { opened: { ...s.opened, [key]: { ...prev, sent: { ...sent, at: Date.now() } } } } : {};
      }),
  }));
}

const stores = new WeakMap<AppStore, HospitalStore>();

/** One hospital store per app store (each mounted app and each test gets its own). */
export function hospitalStoreFor(app: AppStore): HospitalStore {
  let h = stores.get(app);
  if (!h) {
    h = createHospitalStore();
    stores.set(app, h);
  }
  return h;
}
