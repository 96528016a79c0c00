import type { StateCreator } from 'zustand';
import type { SelfCheckResult, SelfCheckStage } from '../selfcheck/run';
import type { AppState } from './store';

/**
 * Whether the loaded model has proven itself on this device (the self-check, src/selfcheck/).
 * Every report and export says which of these it was made under.
 */
export type Verification =
  /** No model loaded, or it was never checked on this device (yet). */
  | { status: 'unverified'; message: string }
  | { status: 'running'; message: string }
  | { status: 'verified'; at: string; result: SelfCheckResult }
  /** result is absent when the check could not run at all (e.g. the sample failed its hash). */
  | { status: 'failed'; at: string; stage: SelfCheckStage; summary: string; result?: SelfCheckResult };

export interface VerificationSlice {
  verification: Verification;
  setVerification: (v: Verification) => void;
}

export const NOT_VERIFIED: Verification = { status: 'unverified', message: 'Not verified on this device.' };

export const createVerificationSlice: StateCreator<AppState, [], [], VerificationSlice> = (set) => ({
  verification: NOT_VERIFIED,
  setVerification: (verification) => set({ verification }),
});

/** One line for the model panel, the report panel and every export. */
export function describeVerification(v: Verification): string {
  switch (v.status) {
    case 'verified':
      return `verified on this device (${v.at.slice(0, 10)}): ${v.result.summary}`;
    case 'failed':
      return `SELF-CHECK FAILED on this device at the ${v.stage} stage: ${v.summary}`;
    case 'running':
      return 'NOT VERIFIED (the self-check is running)';
    default:
      return `NOT VERIFIED on this device. ${v.message}`;
  }
}
