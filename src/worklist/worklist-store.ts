import { createStore, type StoreApi } from 'zustand/vanilla';
import type { UndocumentedCritical } from '../report/critical-results';

/**
 * Where a study stands: nothing yet, a draft being written, written, changed by the user, filed
 * (its SR stored on the server), or changed after filing: the server holds an older text, and
 * sending again files a new SR version, so the row says so rather than still claiming "sent".
 * Signed by the reader (final, read-only), and then filed as signed.
 */
export type ItemState = 'new' | 'drafting' | 'draft-ready' | 'edited' | 'signed' | 'sent' | 'signed-sent' | 'sent-edited' | 'failed';

export const STATE_LABEL: Record<ItemState, string> = {
  new: 'new',
  drafting: 'drafting',
  'draft-ready': 'draft ready',
  edited: 'edited',
  signed: 'signed',
  sent: 'sent',
  'signed-sent': 'signed, sent',
  'sent-edited': 'edited since sent',
  failed: 'failed',
};

export interface WorklistItem {
  id: string;
  /** What the list shows: file name, or patient / accession / date for a server study. */
  label: string;
  origin: 'file' | 'server';
  state: ItemState;
  /** Why it failed (decode, retrieve). */
  message?: string;
  /** The draft the model wrote, as written (the report differs from it once the user edits). */
  draft?: string;
  /**
   * The critical findings its report names with no communication documented (report/critical-results.ts):
   * the row says so, so that the reader opens it first.
   */
  critical?: UndocumentedCritical;
  /** Why the study was asked for, from its header (files only): what the reader picks the next one by. */
  indication?: string;
  /** The app store's study key while it is (or was last) open. */
  studyKey?: string;
}

export interface WorklistState {
  items: WorklistItem[];
  currentId: string | null;
  add: (items: WorklistItem[]) => void;
  update: (id: string, patch: Partial<WorklistItem>) => void;
  setCurrent: (id: string | null) => void;
  clear: () => void;
}

export type WorklistStore = StoreApi<WorklistState>;

export function createWorklistStore(): WorklistStore {
  return createStore<WorklistState>()((set) => ({
    items: [],
    currentId: null,
    add: (items) => set((s) => ({ items: [...s.items, ...items] })),
    update: (id, patch) => set((s) => ({ items: s.items.map((i) => (i.id === id ? { ...i, ...patch } : i)) })),
    setCurrent: (currentId) => set({ currentId }),
    clear: () => set({ items: [], currentId: null }),
  }));
}

const RANK = { immediate: 0, urgent: 1 } as const;

/**
 * The order the list is read in, as shown and as Next / Previous go: as added, or with
 * `criticalFirst` the studies flagged critical first (at once, then within hours), the rest after,
 * each group in the order added. A study moves up once its draft names one: triage, as a worklist
 * sorted by an AI finding does it; the reader decides.
 */
export function readingOrder(s: { items: WorklistItem[]; criticalFirst: boolean }): WorklistItem[] {
  if (!s.criticalFirst) return s.items;
  const rank = (i: WorklistItem) => (i.critical ? RANK[i.critical.urgency] : 2);
  return s.items.map((item, at) => ({ item, at })).sort((a, b) => rank(a.item) - rank(b.item) || a.at - b.at).map((x) => x.item);
}
