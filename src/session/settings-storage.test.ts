import { describe, expect, it } from 'vitest';
import { createAppStore } from '../state/store';
import { DEFAULT_SETTINGS } from '../state/session-slice';
import { persistSettings } from './settings-storage';

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

describe('persistSettings', () => {
  it('restores what was saved and ignores invalid values', () => {
    const storage = new MemoryStorage();
    const a = createAppStore();
    persistSettings(a, storage);
    const reader = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    // The reader's phrases are kept as typed, a half-written one included.
    const phrases = [{ name: 'Mine', text: 'My normal.' }, { name: '', text: '' }];
    a.getState().updateSettings({ executionProvider: 'wasm', temperature: 0, reader, phrases, besideOnOpen: true, criticalFirst: true });
    const b = createAppStore();
    persistSettings(b, storage);
    expect(b.getState().settings).toEqual({ ...DEFAULT_SETTINGS, executionProvider: 'wasm', temperature: 0, reader, phrases, besideOnOpen: true, criticalFirst: true });
    storage.setItem(
      'cxr-llava-settings-v1',
      JSON.stringify({ executionProvider: 'cuda', besideOnOpen: 'yes', criticalFirst: 1, temperature: 99, topP: 0.5, reader: { family: 'Do^e', given: '', prefix: '' }, phrases: 'not a list' }),
    );
    const c = createAppStore();
    persistSettings(c, storage);
    expect(c.getState().settings).toEqual({ ...DEFAULT_SETTINGS, topP: 0.5 });
    storage.setItem('cxr-llava-settings-v1', '{not json');
    const d = createAppStore();
    persistSettings(d, storage);
    expect(d.getState().settings).toEqual(DEFAULT_SETTINGS);
  });
});
