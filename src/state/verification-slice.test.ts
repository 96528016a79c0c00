import { describe, expect, it } from 'vitest';
import { modelLabel, reportDocument } from '../report/document';
import { toPlainText } from '../report/text-export';
import { createAppStore } from './store';
import type { SelfCheckResult } from '../selfcheck/run';

const result: SelfCheckResult = { ok: false, failedStage: 'decoder', summary: 'The decoder differs at token 4 of 32.', precision: 'fp32', decoderReference: 'checkpoint', ms: 1 };

describe('verification in the store and in every export', () => {
  it('a loaded model starts unverified, and the export says so; failed and verified are named', () => {
    const store = createAppStore();
    const s = store.getState();
    s.setLoad({ status: 'loaded', info: { modelId: 'm', modelName: 'M', randomWeights: false, backend: 'onnx · wasm', visionProvider: 'wasm', visionDtype: 'fp32', loadMs: 1, providers: {} as never, warmupMs: 0 } });
    s.editReport('Text.');
    expect(modelLabel(store.getState())?.verification).toMatchObject({ status: 'unverified' });
    expect(toPlainText(reportDocument(store.getState()))).toMatch(/model self-check: NOT VERIFIED on this device/);
    s.setVerification({ status: 'failed', at: '2026-12-04T10:00:00Z', stage: 'decoder', summary: result.summary, result });
    expect(toPlainText(reportDocument(store.getState()))).toMatch(/SELF-CHECK FAILED on this device at the decoder stage: The decoder differs at token 4/);
    s.setVerification({ status: 'running', message: 'x' });
    expect(modelLabel(store.getState())?.verification?.status).toBe('unverified');
    s.setVerification({ status: 'verified', at: '2026-12-04T10:00:00Z', result: { ...result, ok: true, failedStage: undefined, summary: 'All equal.' } });
    expect(toPlainText(reportDocument(store.getState()))).toMatch(/model self-check: verified on this device \(2026-12-04\): All equal\./);
  });
});
