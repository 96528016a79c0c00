import { asDraft, type Draft } from './draft-storage';

/**
 * The write-ahead copy of the draft on screen: written synchronously on every change (each
 * keystroke, each streamed token), so a reload, a closed tab or a crashed renderer right after a
 * keystroke still finds it. IndexedDB (DraftStorage) stays the store of every study's drafts; it
 * is written after a debounce and cannot be relied on to finish before a page goes away.
 */
export interface DraftJournal {
  read(): Draft | undefined;
  /** Throws when the write fails (quota, storage disabled); IndexedDB still gets the draft. */
  write(draft: Draft): void;
  clear(): void;
}

export const JOURNAL_KEY = 'cxr-llava-draft-journal-v1';

/**
 * localStorage: synchronous, and in Chromium each write goes to the browser process at once,
 * which outlives a crashed renderer (e2e/drafts-durability.e2e.ts kills one).
 */
export function localStorageJournal(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = localStorage, key = JOURNAL_KEY): DraftJournal {
  return {
    read: () => {
      try {
        return asDraft(JSON.parse(storage.getItem(key) ?? 'null'));
      } catch {
        return undefined;
      }
    },
    write: (draft) => storage.setItem(key, JSON.stringify(draft)),
    clear: () => storage.removeItem(key),
  };
}

/** For tests: the same contract, in memory. */
export function memoryJournal(): DraftJournal & { writes: number } {
  let value: string | null = null;
  const j = {
    writes: 0,
    read: () => asDraft(JSON.parse(value ?? 'null')),
    write: (draft: Draft) => {
      j.writes++;
      value = JSON.stringify(draft);
    },
    clear: () => {
      value = null;
    },
  };
  return j;
}
