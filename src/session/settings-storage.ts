import { asPhrases } from '../report/phrases';
import { asReader } from '../report/signature';
import { DEFAULT_SETTINGS, type Settings } from '../state/session-slice';
import type { AppStore } from '../state/store';

const KEY = 'cxr-llava-settings-v1';

/** Settings survive a reload (localStorage); unknown or invalid values fall back to defaults. */
export function persistSettings(store: AppStore, storage: Storage = localStorage): () => void {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<Settings> | null;
    if (saved && typeof saved === 'object') store.getState().updateSettings(sanitize(saved));
  } catch {
    storage.removeItem(KEY);
  }
  let last = store.getState().settings;
  return store.subscribe((s) => {
    if (s.settings === last) return;
    last = s.settings;
    storage.setItem(KEY, JSON.stringify(s.settings));
  });
}

function sanitize(s: Partial<Settings>): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (s.executionProvider === 'auto' || s.executionProvider === 'webgpu' || s.executionProvider === 'wasm') out.executionProvider = s.executionProvider;
  if (typeof s.draftOnOpen === 'boolean') out.draftOnOpen = s.draftOnOpen;
  if (typeof s.besideOnOpen === 'boolean') out.besideOnOpen = s.besideOnOpen;
  if (typeof s.criticalFirst === 'boolean') out.criticalFirst = s.criticalFirst;
  const num = (v: unknown, lo: number, hi: number) => (typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : undefined);
  const t = num(s.temperature, 0, 2);
  if (t !== undefined) out.temperature = t;
  const p = num(s.topP, 0.05, 1);
  if (p !== undefined) out.topP = p;
  const m = num(s.maxNewTokens, 1, 4096);
  if (m !== undefined) out.maxNewTokens = Math.round(m);
  const seed = num(s.seed, 0, 2 ** 31);
  if (seed !== undefined) out.seed = Math.round(seed);
  const reader = asReader(s.reader);
  if (reader) out.reader = reader;
  const phrases = asPhrases(s.phrases);
  if (phrases) out.phrases = phrases;
  return { ...DEFAULT_SETTINGS, ...out };
}
