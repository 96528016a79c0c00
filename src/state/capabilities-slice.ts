import type { StateCreator } from 'zustand';
import type { ProviderChoices } from '../capabilities/choose-provider';
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
  /** The ONNX stages' providers as the loaded model chose them (measured where it could be). */
  providers: ProviderChoices | null;
  setCapabilities: (caps: CapabilityReport) => void;
  setProviders: (providers: ProviderChoices) => void;
  setCapabilitiesError: (message: string) => void;
  setSelfTest: (state: SelfTestState) => void;
}

export const createCapabilitiesSlice: StateCreator<AppState, [], [], CapabilitiesSlice> = (set) => ({
  caps: null,
  plan: [],
  providers: null,
  capsError: null,
  selfTest: { status: 'idle' },
  setCapabilities: (caps) => set((s) => ({ caps, plan: planStages(caps, s.providers ?? undefined), capsError: null })),
  setProviders: (providers) => set((s) => ({ providers, plan: s.caps ? planStages(s.caps, providers) : s.plan })),
  setCapabilitiesError: (message) => set({ capsError: message }),
  setSelfTest: (selfTest) => set({ selfTest }),
});
