import type { StateCreator } from 'zustand';
import type { FileProgress } from '../model/artifacts';
import { DEFAULT_PHRASES, type Phrase } from '../report/phrases';
import type { Reader } from '../report/signature';
import type { ExecutionProvider, LoadedInfo } from '../worker/protocol';
import type { AppState } from './store';

export type Stage = 'idle' | 'loading' | 'decoding' | 'encoding' | 'prefill' | 'generating' | 'error';

export interface Metrics {
  preprocessMs?: number;
  encodeMs?: number;
  prefillMs?: number;
  timeToFirstTokenMs?: number;
  tokensPerSecond?: number;
  promptTokens?: number;
  reusedTokens?: number;
  tokens?: number;
  /** Set when the runtime's context, not upstream's rule, limits the answer's length. */
  budgetNote?: string;
  /** From opening the image to the report's first word, when the draft started by itself. */
  dropToFirstTokenMs?: number;
}

export interface Settings {
  /** 'auto' lets the capability plan decide. */
  executionProvider: 'auto' | ExecutionProvider;
  /** Start the report as soon as an image opens (its prompt is prefilled on open either way). */
  draftOnOpen: boolean;
  /** Files of one study given together (a PA and a lateral): the other view goes beside the open one at once, as a hanging protocol hangs them. */
  besideOnOpen: boolean;
  /** The worklist's order: studies whose draft names a possible critical result first (worklist-store.ts readingOrder). */
  criticalFirst: boolean;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  seed: number;
  /** The reader who signs reports on this device (asked for at the first signature). */
  reader: Reader | null;
  /** The reader's report phrases (report/phrases.ts), put in where the caret is. Edits are kept as typed. */
  phrases: readonly Phrase[];
}

export const DEFAULT_SETTINGS: Settings = { executionProvider: 'auto', draftOnOpen: true, besideOnOpen: false, criticalFirst: false, temperature: 0.2, topP: 0.8, maxNewTokens: 512, seed: 1, reader: null, phrases: DEFAULT_PHRASES };

export type LoadState =
  | { status: 'not-loaded' }
  /** lastUpdate: performance.now() of the last progress (a step that takes long shows for how long). */
  | { status: 'loading'; files: Record<string, FileProgress>; message: string; lastUpdate: number }
  | { status: 'loaded'; info: LoadedInfo }
  | { status: 'failed'; message: string };

export interface SessionSlice {
  load: LoadState;
  stage: Stage;
  stageError: string | null;
  metrics: Metrics;
  /** The image currently encoded in the worker (its study key), so it is encoded once. */
  encodedKey: string | null;
  /** Whether an image the model can read is open. */
  hasImage: boolean;
  settings: Settings;
  setLoad: (load: LoadState) => void;
  setStage: (stage: Stage, error?: string | null) => void;
  mergeMetrics: (m: Partial<Metrics>) => void;
  setEncodedKey: (key: string | null) => void;
  setHasImage: (has: boolean) => void;
  updateSettings: (s: Partial<Settings>) => void;
}

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set) => ({
  load: { status: 'not-loaded' },
  stage: 'idle',
  stageError: null,
  metrics: {},
  encodedKey: null,
  hasImage: false,
  settings: DEFAULT_SETTINGS,
  setLoad: (load) => set({ load }),
  setStage: (stage, error = null) => set({ stage, stageError: error }),
  mergeMetrics: (m) => set((s) => ({ metrics: { ...s.metrics, ...m } })),
  setEncodedKey: (encodedKey) => set({ encodedKey }),
  setHasImage: (hasImage) => set({ hasImage }),
  updateSettings: (p) => set((s) => ({ settings: { ...s.settings, ...p } })),
});
