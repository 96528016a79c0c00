import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CapabilityReport } from '../capabilities/types';
import type { ModelManifest } from '../model/manifest';
import { testCaps, testGpu } from '../capabilities/test-fixtures';
import { asOutOfMemory, checkStorage, chooseDecoder } from './load-plan';

const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../public/models/cxr-llava-tiny/manifest.json', import.meta.url)), 'utf8')) as ModelManifest;
const caps = { webgpu: { available: true, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 27 } } as unknown as CapabilityReport;

describe('asOutOfMemory', () => {
  it('names what the model needs and what the adapter offers', () => {
    const err = asOutOfMemory(new Error('GPUBuffer allocation failed: out of memory'), manifest, caps);
    expect(err?.code).toBe('out-of-memory');
    expect(err?.message).toMatch(/needs about 132 MiB.*buffers of at most 1.0 GiB \(storage binding 128 MiB\)/);
  });

  it('leaves other errors alone', () => {
    expect(asOutOfMemory(new Error('invalid model: bad opset'), manifest, caps)).toBeNull();
  });
});

describe('chooseDecoder', () => {
  const gpu = testCaps(testGpu());
  const withLib: ModelManifest = { ...manifest, decoder: { ...manifest.decoder, webllm: { ...manifest.decoder.webllm!, q4f16_1: { ...manifest.decoder.webllm!.q4f16_1!, modelLib: 'lib/cxr-q4f16_1-webgpu.wasm' } } } };
  it('takes WebLLM only with a compiled model library, a GPU, and no provider or decoder forced otherwise', () => {
    expect(chooseDecoder(manifest, gpu, { manifestUrl: '' })).toBe(false); // the demo model names no library
    expect(chooseDecoder(withLib, gpu, { manifestUrl: '' })).toBe(true);
    expect(chooseDecoder(withLib, testCaps({ available: false, reason: 'none' } as never), { manifestUrl: '' })).toBe(false);
    expect(chooseDecoder(withLib, gpu, { manifestUrl: '', executionProvider: 'wasm' })).toBe(false);
    expect(chooseDecoder(withLib, gpu, { manifestUrl: '', decoderBackend: 'onnx' })).toBe(false);
  });
});

describe('checkStorage', () => {
  it('refuses before any download when the quota cannot hold the files, saying how much is needed and free', () => {
    expect(() => checkStorage({ quota: 100 * 2 ** 20, usage: 90 * 2 ** 20 }, 20 * 2 ** 20)).toThrow(/needs 20(\.0)? MiB more and 10(\.0)? MiB is available/);
    expect(() => checkStorage({ quota: 100 * 2 ** 20, usage: 90 * 2 ** 20 }, 5 * 2 ** 20)).not.toThrow();
    expect(() => checkStorage(null, 2 ** 40)).not.toThrow(); // no Storage API (Node): nothing to check against
  });
});
