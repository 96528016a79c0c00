// The full-size bench page: the app's own download / cache / sha256 pipeline (fetchArtifact) and
// the app's vision encoder (VisionEncoder on ORT's wasm EP, loaded and configured as the inference worker
// configures it), driven file by file from src/bench/fullsize/main.ts through window.cxrFullsize.
import { loadOrtForBrowser } from '../../encode/ort-env';
import { VisionEncoder } from '../../encode/vision-encoder';
import { createSHA256 } from 'hash-wasm';
import { ArtifactError, MODEL_CACHE, bytesToDownload, fetchArtifact, manifestFile, readHashed, webLlmBytesToDownload } from '../../model/artifacts';
import type { ModelManifest } from '../../model/manifest';
import type { FullsizePageApi, LoadResult, EncodeResult, HashResult, StorageResult } from './protocol';

// The build the app's worker runs in this browser (JSPI in Chromium).
const { ort } = await loadOrtForBrowser(import.meta.env.BASE_URL);
ort.env.logLevel = 'error';

async function manifestAt(base: string): Promise<ModelManifest> {
  const res = await fetch(new URL('manifest.json', base), { cache: 'no-store' });
  if (!res.ok) throw new Error(`manifest.json: HTTP ${res.status}`);
  return (await res.json()) as ModelManifest;
}

/** Loads the given files one after another, as fetchArtifact does for the app; keeps no bytes. */
async function load(base: string, paths: string[]): Promise<LoadResult> {
  const manifest = await manifestAt(base);
  const files: LoadResult['files'] = [];
  const t0 = performance.now();
  for (const path of paths) {
    const t = performance.now();
    let events = 0;
    let firstEventMs: number | null = null;
    let fromCache = false;
    try {
      const bytes = await fetchArtifact(base, manifestFile(manifest, path), (p) => {
        events++;
        firstEventMs ??= performance.now() - t;
        fromCache = p.fromCache;
      });
      files.push({ path, bytes: bytes.length, ms: performance.now() - t, fromCache, progressEvents: events, firstProgressMs: firstEventMs, error: null });
      window.cxrFullsizeLog?.(`${path}: ${(bytes.length / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s${fromCache ? ' (cache)' : ''}`);
    } catch (err) {
      const code = err instanceof ArtifactError ? err.code : 'other';
      files.push({ path, bytes: 0, ms: performance.now() - t, fromCache, progressEvents: events, firstProgressMs: firstEventMs, error: { code, message: (err as Error).message } });
      break;
    }
  }
  return { ms: performance.now() - t0, files };
}

/**
 * A cached copy read back and hashed as fetchArtifact reads it (streamed into one buffer of the
 * manifest's size, hashed chunk by chunk: what every later load of the model costs), then the hash
 * alone timed apart over the bytes already in memory (hash-wasm, as the streamed pass uses it).
 */
async function hash(base: string, path: string): Promise<HashResult> {
  const file = manifestFile(await manifestAt(base), path);
  const cache = await caches.open(MODEL_CACHE);
  const t0 = performance.now();
  const hit = await cache.match(new URL(path, base).href);
  if (!hit) throw new Error(`${path} is not cached`);
  const bytes = new Uint8Array(file.bytes);
  const digest = await readHashed(hit, bytes);
  const readMs = performance.now() - t0;
  if (digest === null) throw new Error(`${path}: the cached copy is longer than the manifest's ${file.bytes} bytes`);
  const t1 = performance.now();
  const hasher = await createSHA256();
  hasher.update(bytes);
  const again = hasher.digest('hex');
  const hashMs = performance.now() - t1;
  if (again !== digest) throw new Error(`${path}: the streamed sha256 ${digest} differs from the one-pass ${again}`);
  return { path, bytes: bytes.length, readMs, hashMs, sha256: digest };
}

/** Creates the vision session from the cached file and encodes `runs` seeded random images. */
async function encode(base: string, runs: number): Promise<EncodeResult> {
  const manifest = await manifestAt(base);
  const spec = manifest.vision;
  const t0 = performance.now();
  const model = await fetchArtifact(base, manifestFile(manifest, spec.onnx.fp32));
  const fetchMs = performance.now() - t0;
  const t1 = performance.now();
  const encoder = await VisionEncoder.create(ort, model, spec, 'wasm');
  const createMs = performance.now() - t1;
  const n = spec.channels * spec.imageSize * spec.imageSize;
  const runsMs: number[] = [];
  let rows = 0;
  let finite = true;
  for (let r = 0; r < runs; r++) {
    let s = 12345 + r;
    const pixels = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      pixels[i] = (s / 2 ** 32) * 4 - 2;
    }
    const t = performance.now();
    const out = await encoder.encode(pixels);
    runsMs.push(performance.now() - t);
    rows = out.count;
    for (let i = 0; i < out.rows.length; i += 997) finite &&= Number.isFinite(out.rows[i]!);
  }
  return { fetchMs, createMs, runsMs, rows, finite, numThreads: ort.env.wasm.numThreads ?? 1, crossOriginIsolated };
}

/** What the app's pre-download storage check sees, and the bytes it would count. */
async function storage(base: string, paths: string[], webllmFolder: string | null): Promise<StorageResult> {
  const manifest = await manifestAt(base);
  const est = await navigator.storage.estimate();
  return {
    quota: est.quota ?? 0,
    usage: est.usage ?? 0,
    appBytes: await bytesToDownload(base, manifest, paths),
    webLlmBytes: webllmFolder ? await webLlmBytesToDownload(base, manifest, webllmFolder) : 0,
  };
}

async function clear(): Promise<void> {
  await caches.delete(MODEL_CACHE);
}

window.cxrFullsize = { load, hash, encode, storage, clear } satisfies FullsizePageApi;
document.getElementById('status')!.textContent = 'ready';
