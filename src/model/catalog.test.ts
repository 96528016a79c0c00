import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discoverModel, modelCandidates, parseManifest } from './catalog';
import { ManifestValidationError } from './validate-manifest';

const tinyText = readFileSync(new URL('../../public/models/cxr-llava-tiny/manifest.json', import.meta.url), 'utf8');
const manifest = JSON.parse(tinyText) as Record<string, unknown>;

function fakeFetch(routes: Record<string, { status: number; body: string }>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const r = routes[String(input)] ?? { status: 404, body: 'not found' };
    return new Response(r.body, { status: r.status });
  }) as typeof fetch;
}

describe('discoverModel', () => {
  it('prefers the configured model, then the real one, then the demo', () => {
    expect(modelCandidates({ VITE_CXR_MODEL_URL: 'https://host/m/manifest.json' })).toEqual([
      'https://host/m/manifest.json',
      '/models/cxr-llava-v2/manifest.json',
      '/models/cxr-llava-tiny/manifest.json',
    ]);
  });

  it('skips a dev-server index.html answer and finds the demo manifest', async () => {
    const found = await discoverModel(modelCandidates({}), fakeFetch({
      '/models/cxr-llava-v2/manifest.json': { status: 200, body: '<!doctype html><html></html>' },
      '/models/cxr-llava-tiny/manifest.json': { status: 200, body: JSON.stringify(manifest) },
    }));
    expect(found.status).toBe('found');
    if (found.status === 'found') expect(found.manifest.id).toBe('cxr-llava-tiny');
  });

  it('says what it tried when nothing is there', async () => {
    const found = await discoverModel(['/a.json', '/b.json'], fakeFetch({}));
    expect(found.status).toBe('missing');
    if (found.status === 'missing') expect(found.message).toMatch(/\/a\.json \(404\); \/b\.json \(404\)/);
  });

  it('stops at a manifest that fails validation and says why, instead of falling back to the demo', async () => {
    const bad = { ...manifest, files: [] };
    const found = await discoverModel(modelCandidates({ VITE_CXR_MODEL_URL: 'https://host/m/manifest.json' }), fakeFetch({
      'https://host/m/manifest.json': { status: 200, body: JSON.stringify(bad) },
      '/models/cxr-llava-tiny/manifest.json': { status: 200, body: tinyText },
    }));
    expect(found.status).toBe('missing');
    if (found.status === 'missing') expect(found.message).toMatch(/https:\/\/host\/m\/manifest\.json was refused: .*vision\.onnx\.fp32 "vision\.onnx" is not listed in files/);
  });
});

describe('parseManifest', () => {
  it('accepts the bundled tiny manifest', () => {
    expect(parseManifest(tinyText).id).toBe('cxr-llava-tiny');
  });

  it('tells non-manifests from invalid manifests', () => {
    expect(() => parseManifest('<!doctype html>')).toThrow('not a JSON manifest');
    expect(() => parseManifest('{"hello": 1}')).toThrow(/schemaVersion 1/);
    expect(() => parseManifest(JSON.stringify({ ...manifest, vision: {} }))).toThrow(ManifestValidationError);
  });
});

