import type { StateCreator } from 'zustand';
import type { ModelManifest } from '../model/manifest';
import type { AppState } from './store';

export type ModelChoice =
  | { status: 'unknown' }
  | { status: 'found'; manifestUrl: string; manifest: ModelManifest }
  | { status: 'missing'; message: string };

export interface ModelSlice {
  model: ModelChoice;
  setModel: (model: ModelChoice) => void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => ({
  model: { status: 'unknown' },
  setModel: (model) => set({ model }),
});
