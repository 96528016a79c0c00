import { describe, expect, it } from 'vitest';
import type { CapabilityReport } from '../capabilities/types';
import { createAppStore } from './store';

const noGpu: CapabilityReport = {
  host: 'browser',
  userAgent: 'test',
  webgpu: { available: false, reason: 'none' },
  wasmThreads: false,
  crossOriginIsolated: false,
  logicalCores: 2,
  storage: null,
};

describe('createAppStore', () => {
  it('gives each caller independent state', () => {
    const a = createAppStore();
    const b = createAppStore();
    a.getState().setCapabilities(noGpu);
    expect(a.getState().caps).toBe(noGpu);
    expect(b.getState().caps).toBeNull();
  });

  it('derives the stage plan when capabilities arrive', () => {
    const s = createAppStore();
    s.getState().setCapabilities(noGpu);
    const decoder = s.getState().plan.find((p) => p.stage === 'decoder');
    expect(decoder?.runtime).toBe('unavailable');
    expect(s.getState().plan.find((p) => p.stage === 'vision')?.runtime).toBe('ort-wasm');
  });
});
