import { createStore, type StoreApi } from 'zustand/vanilla';
import { createAppSlice, type AppSlice } from './app-slice';
import { createCapabilitiesSlice, type CapabilitiesSlice } from './capabilities-slice';
import { createModelSlice, type ModelSlice } from './model-slice';
import { createReportSlice, type ReportSlice } from './report-slice';
import { createSessionSlice, type SessionSlice } from './session-slice';
import { createStudySlice, type StudySlice } from './study-slice';
import { createVerificationSlice, type VerificationSlice } from './verification-slice';

export type AppState = AppSlice & CapabilitiesSlice & ModelSlice & SessionSlice & ReportSlice & StudySlice & VerificationSlice;
export type AppStore = StoreApi<AppState>;

/**
 * One store built from domain slices. A factory, not a module-level singleton, so every test and
 * every mounted app gets fresh state; it works outside React (getState/subscribe) for workers.
 */
export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createAppSlice(...a),
    ...createCapabilitiesSlice(...a),
    ...createModelSlice(...a),
    ...createSessionSlice(...a),
    ...createReportSlice(...a),
    ...createStudySlice(...a),
    ...createVerificationSlice(...a),
  }));
}
