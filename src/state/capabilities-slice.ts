import type { StateCreator } from 'zustand';
import { planStages } from '../capabilities/plan';
import type { CapabilityReport, StagePlan } from '../capabilities/types';
import type { SelfTestResult } from '../selftest/ort-selftest';
import type { AppState } from './store';

export type SelfTestState =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; result: SelfTestResult }
  | { status: 'failed'; message: string };

export interface CapabilitiesSlice {
  caps: CapabilityReport | null;
  plan: StagePlan[];
  capsError: string | null;
  selfTest: SelfTestState;
  setCapabilities: (caps: CapabilityReport) => void;
  setCapabilitiesError: (message: string) => void;
  setSelfTest: (state: SelfTestState) => void;
}

export const createCapabilitiesSlice: StateCreator<AppState, [], [], CapabilitiesSlice> = (set) => ({
  caps: null,
  plan: [],
  capsError: null,
  selfTest: { status: 'idle' },
  setCapabilities: (caps) => set({ caps, plan: planStages(caps), capsError: null }),
  setCapabilitiesError: (message) => set({ capsError: message }),
  setSelfTest: (selfTest) => set({ selfTest }),
});
