import { describeStudy, summarizeStudy } from '../report/context';
import type { OpenStudy } from '../state/study-slice';
import type { AppState, AppStore } from '../state/store';
import type { DecodedImage } from '../imaging/types';
import { localStorageJournal, type DraftJournal } from './draft-journal';
import { idbDraftStorage, SCRATCH, type Draft, type DraftStorage } from './draft-storage';
import { studyFingerprint } from './study-fingerprint';

/**
 * Drafts: the report, its versions and the chat of each study, kept in IndexedDB so that a
 * reload, a crash or opening the same image again brings them back. Pixel data is never stored;
 * a study is known by a hash of its decoded pixels, which is the same each time the same file is
 * opened (the study key in the store is new for every intake).
 *
 * Runs beside React: it subscribes to the store, saves debounced (and at least every few seconds
 * while text streams in), and puts drafts back with the store's own actions. Before any of that,
 * every change is written ahead, synchronously, to a journal (localStorage, draft-journal.ts): a
 * reload 0 ms after a keystroke, a closed tab or a crashed renderer loses nothing, and on load
 * the newer of journal and IndexedDB wins.
 */

export { asDraft, draftKey, DRAFTS_DB, idbDraftStorage, SCRATCH, type Draft, type DraftStorage } from './draft-storage';

type DraftContent = Pick<AppState, 'report' | 'reportPreset' | 'versions' | 'chat' | 'chatInput' | 'indication' | 'signature' | 'amending' | 'modelReport' | 'reportEnd'>;

const EMPTY: DraftContent = { report: '', reportPreset: null, versions: [], chat: [], chatInput: '', indication: null, signature: null, amending: null, modelReport: null, reportEnd: null };

/** A report saved while the model wrote it: should the page go, it comes back as stopped (its Continue finishes it). */
const CUT_SHORT = { reason: 'interrupted', added: 0 } as const;

function hasContent(s: Pick<DraftContent, 'report' | 'versions' | 'chat'> & { chatInput?: string; indication?: string | null }): boolean {
  return s.report.trim() !== '' || s.versions.length > 0 || s.chat.length > 0 || (s.chatInput ?? '').trim() !== '' || (s.indication ?? null) !== null;
}

function contentOf(s: DraftContent & { streaming?: AppState['streaming'] }): DraftContent {
  return {
    report: s.report,
    reportPreset: s.reportPreset,
    versions: s.versions,
    chat: s.chat,
    chatInput: s.chatInput,
    indication: s.indication,
    signature: s.signature,
    amending: s.amending,
    modelReport: s.modelReport,
    reportEnd: s.streaming === 'report' ? CUT_SHORT : s.reportEnd,
  };
}

function sameContent(a: DraftContent, b: DraftContent): boolean {
  return (
    a.report === b.report &&
    a.reportPreset === b.reportPreset &&
    a.versions === b.versions &&
    a.chat === b.chat &&
    a.chatInput === b.chatInput &&
    a.indication === b.indication &&
    a.signature === b.signature &&
    a.amending === b.amending &&
    a.modelReport === b.modelReport &&
    a.reportEnd === b.reportEnd
  );
}

/** A chat answer or report that was streaming when the page went away is kept, marked as stopped. */
function restorable(d: Draft): DraftContent {
  return {
    report: d.report,
    reportPreset: d.reportPreset,
    versions: d.versions,
    chat: d.chat.map((m) => (m.streaming ? { ...m, streaming: false, interrupted: true } : m)),
    chatInput: d.chatInput ?? '',
    indication: d.indication ?? null,
    signature: d.signature ?? null,
    amending: d.amending ?? null,
    modelReport: d.modelReport ?? null,
    reportEnd: d.reportEnd ?? null,
  };
}

export interface DraftPersistenceOptions {
  /** Quiet time before a save. */
  debounceMs?: number;
  /** Longest a change waits while edits or tokens keep coming. */
  maxWaitMs?: number;
  now?: () => number;
  fingerprint?: (image: DecodedImage) => Promise<string>;
  /** The synchronous write-ahead copy; none: IndexedDB alone (debounced). */
  journal?: DraftJournal | null;
}

export class DraftPersistence {
  /** The draft the report on screen belongs to; null until a study opens or a draft is restored. */
  private key: string | null = null;
  private label = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firstPending: number | null = null;
  /** Every storage step runs in order, one at a time. */
  private queue: Promise<void> = Promise.resolve();
  /** True while a draft is being put into the store (not a user change, not saved back). */
  private applying = false;
  /** The open study changed; switch drafts once nothing is streaming into the old one. */
  private studyChanged = false;
  private unsubscribe: (() => void) | null = null;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly fingerprint: (image: DecodedImage) => Promise<string>;
  private readonly journal: DraftJournal | null;
  /** The last storage error (quota, IndexedDB unavailable); saving is tried again at the next change. */
  lastError: string | null = null;

  constructor(
    private readonly store: AppStore,
    private readonly storage: DraftStorage,
    opts: DraftPersistenceOptions = {},
  ) {
    this.debounceMs = opts.debounceMs ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 3000;
    this.now = opts.now ?? Date.now;
    this.fingerprint = opts.fingerprint ?? studyFingerprint;
    this.journal = opts.journal ?? null;
  }

  /**
   * Subscribes to the store and puts back the draft that was open last: the journal's at once
   * (synchronously, before the first render), then IndexedDB's if that one is newer.
   */
  start(): Promise<void> {
    const journaled = this.readJournal();
    const s = this.store.getState();
    let applied: DraftContent | null = null;
    if (journaled && hasContent(journaled) && !hasContent(s) && !s.study) {
      this.key = journaled.key;
      this.label = journaled.label;
      this.apply(restorable(journaled), { savedAt: journaled.savedAt });
      applied = contentOf(this.store.getState());
    }
    this.unsubscribe = this.store.subscribe((st, prev) => this.onChange(st, prev));
    this.enqueue(() => this.restoreLast(journaled, applied));
    return this.idle();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Saves a pending change now (page hidden or closing). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.enqueue(() => this.saveNow());
    }
    return this.idle();
  }

  /** Resolves when every queued storage step has run. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Deletes every saved draft and empties the report, versions and chat on screen. */
  clearAll(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.firstPending = null;
    this.enqueue(async () => {
      await this.storage.clear();
      if (this.key === SCRATCH) this.key = null;
      this.apply(EMPTY, null);
      this.journal?.clear();
    });
    return this.idle();
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((err: unknown) => {
      this.lastError = err instanceof Error ? err.message : String(err);
      console.warn('Draft storage:', err);
    });
  }

  private onChange(s: AppState, prev: AppState): void {
    if (s.study?.key !== prev.study?.key) this.studyChanged = true;
    if (this.studyChanged && !s.streaming) {
      this.studyChanged = false;
      // Saves what is pending for the old study first, then switches.
      if (this.timer) void this.flush();
      this.enqueue(async () => {
        const study = this.store.getState().study;
        await this.switchStudy(study);
        // Tells the controller that what is on screen now belongs to this study (see draftOnOpen).
        if (study && this.store.getState().study?.key === study.key) this.store.getState().setDraftFor(study.key);
      });
    }
    if (this.applying) return;
    if (!sameContent(s, prev)) {
      this.writeAhead();
      this.schedule();
    }
  }

  /** The journal gets what is on screen now, under the draft it belongs to. */
  private writeAhead(): void {
    if (!this.journal) return;
    const s = this.store.getState();
    const key = this.key ?? SCRATCH;
    try {
      this.journal.write({ schema: 1, key, savedAt: this.now(), label: this.label, ...contentOf(s) });
    } catch (err) {
      // Quota or storage disabled: IndexedDB still saves it, after the debounce.
      this.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  private readJournal(): Draft | undefined {
    try {
      return this.journal?.read();
    } catch {
      return undefined;
    }
  }

  private schedule(): void {
    const now = this.now();
    this.firstPending ??= now;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstPending + this.maxWaitMs - now));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueue(() => this.saveNow());
    }, wait);
  }

  private async saveNow(): Promise<void> {
    this.firstPending = null;
    const s = this.store.getState();
    if (this.key === null) {
      if (!hasContent(s)) return;
      this.key = SCRATCH;
    }
    if (!hasContent(s)) return this.storage.remove(this.key);
    await this.storage.save({ schema: 1, key: this.key, savedAt: this.now(), label: this.label, ...contentOf(s) });
  }

  /**
   * Puts back the newer of the journal and IndexedDB's last draft. `applied`: what start() put
   * on screen from the journal (null if nothing).
   */
  private async restoreLast(journaled: Draft | undefined, applied: DraftContent | null): Promise<void> {
    const last = await this.storage.lastKey();
    const draft = last ? await this.storage.load(last) : undefined;
    if (journaled && (!draft || journaled.savedAt >= draft.savedAt)) {
      // The journal is newest (the page went before the debounced save): IndexedDB catches up.
      const stored = journaled.key === draft?.key ? draft : await this.storage.load(journaled.key);
      if (stored && stored.savedAt >= journaled.savedAt) return;
      if (applied) return this.saveNow();
      // The journal says the text was emptied after it was last stored.
      if (stored && !hasContent(journaled)) await this.storage.remove(stored.key);
      return;
    }
    const s = this.store.getState();
    // The user got there first (typed, or opened an image): theirs wins. What start() took from
    // the journal, untouched since, gives way to a newer draft in IndexedDB (another tab's).
    const untouched = applied !== null && sameContent(s, applied) && !s.study;
    if (!draft || (!untouched && (hasContent(s) || s.study || this.key !== null))) return;
    this.key = draft.key;
    this.label = draft.label;
    this.apply(restorable(draft), { savedAt: draft.savedAt });
  }

  private async switchStudy(study: OpenStudy | null): Promise<void> {
    // Closing the image keeps the draft on screen, still saved under its study.
    if (!study) return;
    const key = await this.fingerprint(study.image);
    if (this.store.getState().study?.key !== study.key) return; // another image came meanwhile
    const label = describeStudy(summarizeStudy(study.image));
    if (key === this.key) {
      this.label = label;
      return;
    }
    const from = this.key;
    const stored = await this.storage.load(key);
    await this.storage.markOpen(key);
    if (from === SCRATCH) await this.storage.remove(SCRATCH);
    this.key = key;
    this.label = label;
    this.writeAhead();
    // From here on no await until the store is updated: what is on screen now is what counts.
    const s = this.store.getState();
    if (s.streaming) {
      // A report for the new image began meanwhile: it is the new draft; the stored one stays
      // reachable as a version.
      if (stored) {
        const last = stored.report.trim() ? [{ text: stored.report, preset: stored.reportPreset ?? 'report', createdAt: stored.savedAt, ...(stored.modelReport ? { model: stored.modelReport } : {}) }] : [];
        s.addOlderVersions([...stored.versions, ...last]);
      }
      return this.saveNow();
    }
    if (from === null || from === SCRATCH) {
      // Text written before any image was open belongs to the first one opened; a draft saved
      // for that image comes back, with the new text kept as a version.
      if (stored) {
        const kept = s.report.trim() ? [{ text: s.report, preset: s.reportPreset ?? 'report', createdAt: this.now(), ...(s.modelReport !== null ? { model: s.modelReport } : {}) }] : [];
        this.apply({ ...restorable(stored), versions: [...stored.versions, ...kept] }, { savedAt: stored.savedAt });
      }
      if (!stored || hasContent(s)) await this.saveNow();
      return;
    }
    this.apply(stored ? restorable(stored) : EMPTY, stored ? { savedAt: stored.savedAt } : null);
  }

  private apply(content: DraftContent, notice: { savedAt: number } | null): void {
    this.applying = true;
    try {
      this.store.getState().loadDraft(content);
      this.store.getState().setDraftNotice(notice);
    } finally {
      this.applying = false;
    }
    // The journal follows the screen, so a reload brings back this draft, not the one before.
    this.writeAhead();
  }
}

let running: DraftPersistence | null = null;

/**
 * Starts draft persistence for the app's store (main.tsx). Saves on page hide, so a closed tab
 * keeps its last words.
 */
export function startDraftPersistence(store: AppStore, storage: DraftStorage = idbDraftStorage(), journal: DraftJournal | null = browserJournal()): DraftPersistence {
  running?.stop();
  const p = new DraftPersistence(store, storage, { journal });
  running = p;
  void p.start();
  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', () => void p.flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void p.flush();
    });
  }
  return p;
}

function browserJournal(): DraftJournal | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorageJournal() : null;
  } catch {
    return null; // localStorage blocked (e.g. storage disabled for the site)
  }
}

export function runningDrafts(): DraftPersistence | null {
  return running;
}
