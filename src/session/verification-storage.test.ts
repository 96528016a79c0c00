import { describe, expect, it } from 'vitest';
import type { SelfCheckResult } from '../selfcheck/run';
import { deviceKey, modelKey, recallCheck, rememberCheck } from './verification-storage';

class MemoryStorage {
  private m = new Map<string, string>();
  getItem = (k: string) => this.m.get(k) ?? null;
  setItem = (k: string, v: string) => void this.m.set(k, v);
  removeItem = (k: string) => void this.m.delete(k);
}

const result: SelfCheckResult = { ok: true, summary: 'ok', precision: 'fp32', decoderReference: 'checkpoint', ms: 5, produced: { tokens: [1], margins: [1] } };
const files = [{ path: 'a.onnx', bytes: 1, sha256: 'a'.repeat(64) }];

describe('self-check outcomes remembered per device and model', () => {
  it('a changed file or another device is a different key; outcomes come back without the token dump', async () => {
    const k1 = await modelKey({ id: 'm', files });
    expect(await modelKey({ id: 'm', files: [{ ...files[0]!, sha256: 'b'.repeat(64) }] })).not.toBe(k1);
    const info = { backend: 'onnx · wasm', visionProvider: 'wasm' as const, visionDtype: 'fp32' as const };
    const gpu = { available: true as const, vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader', isFallbackAdapter: true, shaderF16: false, features: [], maxBufferSize: 1, maxStorageBufferBindingSize: 1, maxComputeWorkgroupStorageSize: 1, maxComputeInvocationsPerWorkgroup: 1 };
    const caps = { host: 'browser' as const, userAgent: '', webgpu: gpu, wasmThreads: true, crossOriginIsolated: true, logicalCores: 2, storage: null };
    expect(deviceKey(info, caps)).not.toBe(deviceKey({ ...info, backend: 'onnx · webgpu', visionProvider: 'webgpu' }, caps));
    const storage = new MemoryStorage() as unknown as Storage;
    const key = `${k1}|${deviceKey(info, caps)}`;
    expect(recallCheck(key, storage)).toBeNull();
    rememberCheck(key, { at: '2026-12-04T00:00:00Z', result }, storage);
    const back = recallCheck(key, storage)!;
    expect(back.result).toMatchObject({ ok: true, summary: 'ok' });
    expect(back.result.produced).toBeUndefined();
    storage.setItem('cxr-llava-selfcheck-v1', '{broken');
    expect(recallCheck(key, storage)).toBeNull();
  });
});
