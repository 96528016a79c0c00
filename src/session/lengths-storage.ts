import { clear, createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { Segment } from '../imaging/measure';

/** A length as stored: two image points (pixel coordinates), and what it measures for the ratio tool. */
export type StoredLength = Segment;

export const LENGTHS_DB = 'cxr-llava-lengths';

/**
 * The lengths drawn on each image, by its pixels' fingerprint (as drafts are): in memory for this
 * tab, and in IndexedDB, so that the same image shows them again after a reload or on another day,
 * as a PACS keeps a reader's measurements. Only coordinates are stored, never pixels. When
 * IndexedDB fails (private windows, a full disk), they stay for the tab's life.
 */
export class LengthsStorage {
  private readonly memory = new Map<string, StoredLength[]>();
  private readonly cleared = new Set<() => void>();
  private db: UseStore | null = null;

  constructor(private readonly dbName = LENGTHS_DB) {}

  private store(): UseStore {
    return (this.db ??= createStore(this.dbName, 'lengths'));
  }

  /** An image's lengths: from this tab's memory, else from IndexedDB; none when neither has any. */
  async load(key: string): Promise<StoredLength[]> {
    const known = this.memory.get(key);
    if (known) return known;
    let stored: unknown;
    try {
      stored = await get(key, this.store());
    } catch (err) {
      console.warn('Lengths storage:', err);
    }
    // Lengths saved in this tab while the read was on its way are newer: they win.
    const list = this.memory.get(key) ?? (Array.isArray(stored) ? stored.filter(isStoredLength) : []);
    this.memory.set(key, list);
    return list;
  }

  save(key: string, list: StoredLength[]): void {
    this.memory.set(key, list);
    const write = list.length ? set(key, list, this.store()) : del(key, this.store());
    write.catch((err: unknown) => console.warn('Lengths storage:', err));
  }

  /** "Clear all local data": every image's lengths, here and in IndexedDB; the viewer drops those on screen. */
  async clear(): Promise<void> {
    this.memory.clear();
    await clear(this.store());
    for (const listener of this.cleared) listener();
  }

  onCleared(listener: () => void): () => void {
    this.cleared.add(listener);
    return () => this.cleared.delete(listener);
  }
}

const point = (p: unknown): boolean => typeof p === 'object' && p !== null && Number.isFinite((p as { x: unknown }).x) && Number.isFinite((p as { y: unknown }).y);

/** What IndexedDB gives back is checked: an older or damaged record is left out, not drawn. */
function isStoredLength(v: unknown): v is StoredLength {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return point(s.a) && point(s.b) && (s.role === undefined || s.role === 'heart' || s.role === 'chest');
}

let shared: LengthsStorage | null = null;

/** The app's lengths storage (one per page). */
export function lengthsStorage(): LengthsStorage {
  return (shared ??= new LengthsStorage());
}
