import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CapabilityReport } from '../capabilities/types';
import type { ModelManifest } from '../model/manifest';
import { asOutOfMemory } from './engine';

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
