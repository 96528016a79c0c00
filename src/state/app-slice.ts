import type { StateCreator } from 'zustand';
import type { AppState } from './store';

/** The app itself: network state, offline readiness, and a waiting new version. */
export interface AppSlice {
  online: boolean;
  offlineReady: boolean;
  /** Set when a new version is installed and waiting; calling it reloads into that version. */
  applyUpdate: (() => Promise<void>) | null;
  setOnline: (online: boolean) => void;
  setOfflineReady: (ready: boolean) => void;
  setUpdate: (apply: () => Promise<void>) => void;
}

export const createAppSlice: StateCreator<AppState, [], [], AppSlice> = (set) => ({
  online: true,
  offlineReady: false,
  applyUpdate: null,
  setOnline: (online) => set({ online }),
  setOfflineReady: (offlineReady) => set({ offlineReady }),
  setUpdate: (applyUpdate) => set({ applyUpdate }),
});
