import { createSHA256 } from 'hash-wasm';
import { bytesBody, streamInto } from './body-stream';
import type { ManifestFile, ModelManifest } from './manifest';

export interface FileProgress {
  path: string;
  loaded: number;
  total: number;
  fromCache: boolean;
}

export type ProgressFn = (p: FileProgress) => void;

/** Model files of the app (ONNX, tokenizer) live here; WebLLM keeps its own cache. */
export const MODEL_CACHE = 'cxr-llava-models-v1';

export type ArtifactErrorCode = 'missing' | 'hash-mismatch' | 'http' | 'not-in-manifest' | 'interrupted' | 'corrupt-offline' | 'quota';

export class ArtifactError extends Error {
  override name = 'ArtifactError';
  constructor(
    message: string,
    readonly code: ArtifactErrorCode,
  ) {
    super(message);
  }
}

/**
 * One-shot sha256 of bytes already in memory (the sample radiograph of the self-check). WebCrypto
 * copies its input before hashing, so model files are hashed incrementally instead (readHashed,
 * fetchArtifact).
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function manifestFile(manifest: ModelManifest, path: string): ManifestFile {
  const f = manifest.files.find((x) => x.path === path);
  if (!f) throw new ArtifactError(`The manifest lists no file "${path}".`, 'not-in-manifest');
  return f;
}

/**
 * Where the bytes of an interrupted download wait for the rest (see fetchArtifact). A query, not
 * a #fragment: Cache Storage ignores fragments when matching, so `url#partial` would overwrite
 * the finished file's entry.
 */
const partialKey = (url: string) => `${url}${url.includes('?') ? '&' : '?'}cxr-partial=1`;

/**
 * Fetches one model file: from Cache Storage when a verified copy is there, else from the network
 * with progress. Every file is checked against the manifest's sha256 before it is used or cached.
 * A download cut off part way keeps what arrived; the next attempt asks only for the rest with a
 * Range request (and starts over where the server ignores ranges).
 *
 * Memory: one buffer of the manifest's size holds the file from start to end (a cached copy, the
 * kept part of a download, the download itself). The sha256 is computed chunk by chunk as bytes
 * arrive (hash-wasm, incremental) and the cache is written from views of that buffer (bytesBody):
 * WebCrypto's one-shot digest copied the whole file first, and so did `new Response(bytes)`, which
 * made a 1.2 GB file cost about three times its size (docs/benchmarks.md, "Full size").
 */
export async function fetchArtifact(
  baseUrl: string,
  file: ManifestFile,
  onProgress: ProgressFn = () => {},
  fetchFn: typeof fetch = fetch,
): Promise<Uint8Array> {
  const url = new URL(file.path, baseUrl).href;
  const cache = typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE).catch(() => null) : null;
  const out = new Uint8Array(file.bytes);
  const hit = await cache?.match(url);
  let corruptCopy = false;
  if (hit) {
    if ((await readHashed(hit, out)) === file.sha256) {
      onProgress({ path: file.path, loaded: out.length, total: out.length, fromCache: true });
      return out;
    }
    corruptCopy = true;
    await cache!.delete(url);
  }
  // The kept part goes straight into `out`; it is hashed only once the server has agreed to send the rest.
  const kept = await readPartial(cache, url, out);
  let res: Response;
  try {
    res = await fetchFn(url, kept ? { headers: { Range: `bytes=${kept}-` } } : undefined);
  } catch (err) {
    if (corruptCopy) {
      throw new ArtifactError(`The cached copy of ${file.path} is corrupt (wrong sha256) and it cannot be downloaded again now (${String(err)}). Reconnect to the network and load the model again.`, 'corrupt-offline');
    }
    throw new ArtifactError(`Could not download ${file.path}: ${String(err)}. Check the connection; finished files are kept.`, 'interrupted');
  }
  if (!res.ok) {
    throw new ArtifactError(`Could not download ${file.path} (${res.status} ${res.statusText}) from ${url}.`, res.status === 404 ? 'missing' : 'http');
  }
  const resumed = res.status === 206 && kept > 0 && contentRangeStart(res) === kept;
  const hasher = await createSHA256();
  // Counted as chunks arrive: when the connection drops, reader.read() throws, and what arrived
  // until then is what the next attempt continues from (a return value would be lost with the throw).
  const got = { loaded: 0 };
  if (resumed) {
    hasher.update(out.subarray(0, kept));
    got.loaded = kept;
  }
  let fits: 'complete' | 'overflow';
  try {
    fits = await streamInto(res, out, got, (chunk) => {
      hasher.update(chunk);
      onProgress({ path: file.path, loaded: got.loaded, total: file.bytes, fromCache: false });
    });
  } catch (err) {
    // Keep what arrived so the next attempt continues from here.
    await keepPartial(cache, url, out.subarray(0, got.loaded));
    throw new ArtifactError(`The download of ${file.path} stopped after ${got.loaded} of ${file.bytes} bytes (${String(err)}). Load the model again to continue where it stopped.`, 'interrupted');
  }
  if (fits === 'overflow') throw new ArtifactError(`${file.path} is larger than the manifest says (${file.bytes} bytes).`, 'hash-mismatch');
  if (got.loaded !== file.bytes) {
    await keepPartial(cache, url, out.subarray(0, got.loaded));
    throw new ArtifactError(`${file.path} ended after ${got.loaded} of ${file.bytes} bytes. Load the model again to continue.`, 'interrupted');
  }
  await cache?.delete(partialKey(url)).catch(() => false);
  const digest = hasher.digest('hex');
  if (digest !== file.sha256) {
    throw new ArtifactError(`${file.path} is corrupt or not the file the manifest names (sha256 ${digest.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…).`, 'hash-mismatch');
  }
  try {
    // Stored only now, verified, under its real URL; from views of `out`, which nobody else holds
    // until this returns (so it cannot change while the cache reads it).
    await cache?.put(url, new Response(bytesBody(out), { headers: { 'Content-Type': 'application/octet-stream' } }));
  } catch (err) {
    // A full store used to be swallowed here: the model ran, and every later visit downloaded
    // the gigabytes again without a word. Other cache failures (private modes) stay silent.
    if (isQuotaError(err)) {
      throw new ArtifactError(
        `Browser storage is full: ${file.path} (${formatMB(file.bytes)}) downloaded and verified, but it cannot be kept for the next visit. Free space (delete other models or clear other site data) and load again.`,
        'quota',
      );
    }
  }
  return out;
}

/**
 * Reads a cached copy into `out` (the manifest's size) and returns its sha256, hashed as it is
 * read; null when the copy is longer than `out` (then it cannot be the file either).
 */
export async function readHashed(res: Response, out: Uint8Array): Promise<string | null> {
  const hasher = await createSHA256();
  const got = { loaded: 0 };
  const fits = await streamInto(res, out, got, (chunk) => hasher.update(chunk));
  // A shorter copy hashes to something else, unless the file's tail is zeros: the count says so.
  return fits === 'complete' && got.loaded === out.length ? hasher.digest('hex') : null;
}

/** QuotaExceededError, as Chromium's and Firefox's Cache Storage throw it (a DOMException). */
export function isQuotaError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ((err as { name?: string }).name === 'QuotaExceededError' || (err as { code?: number }).code === 22);
}

const formatMB = (n: number) => `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0)} MB`;

/** Reads the kept part of an interrupted download into the start of `out`; its length, or 0 when none (or not shorter than the file). */
async function readPartial(cache: Cache | null | undefined, url: string, out: Uint8Array): Promise<number> {
  const r = await cache?.match(partialKey(url));
  if (!r) return 0;
  const got = { loaded: 0 };
  const fits = await streamInto(r, out, got);
  return fits === 'complete' && got.loaded < out.length ? got.loaded : 0;
}

/** Stores what arrived of an interrupted download (best effort: a failed store only costs a full download next time). */
async function keepPartial(cache: Cache | null | undefined, url: string, bytes: Uint8Array): Promise<void> {
  await cache?.put(partialKey(url), new Response(bytesBody(bytes))).catch(() => {});
}

function contentRangeStart(res: Response): number | null {
  const m = res.headers.get('Content-Range')?.match(/^bytes (\d+)-/);
  return m ? Number(m[1]) : null;
}

/** Bytes of the manifest's files not yet in the cache: what a load will download. */
export async function bytesToDownload(baseUrl: string, manifest: ModelManifest, paths: string[]): Promise<number> {
  const cache = typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE).catch(() => null) : null;
  let n = 0;
  for (const p of paths) {
    const f = manifestFile(manifest, p);
    if (!(await cache?.match(new URL(p, baseUrl).href))) n += f.bytes;
  }
  return n;
}

/** WebLLM 0.2.x's Cache Storage for model weights (tvmjs ArtifactCache, keyed by absolute URL). */
export const WEBLLM_MODEL_CACHE = 'webllm/model';

/**
 * Bytes of one WebLLM folder (mlc-chat-config, tensor-cache, params shards: 3.6 GB for the 7B
 * q4f16_1) not yet in WebLLM's cache. WebLLM downloads them itself, after the app's own files, so
 * the storage check must count them or a load that cannot fit fails gigabytes in.
 */
export async function webLlmBytesToDownload(baseUrl: string, manifest: ModelManifest, modelFolder: string): Promise<number> {
  const prefix = modelFolder.endsWith('/') ? modelFolder : `${modelFolder}/`;
  const cache = typeof caches !== 'undefined' ? await caches.open(WEBLLM_MODEL_CACHE).catch(() => null) : null;
  let n = 0;
  for (const f of manifest.files) {
    if (!f.path.startsWith(prefix)) continue;
    if (!(await cache?.match(new URL(f.path, baseUrl).href))) n += f.bytes;
  }
  return n;
}

/** Removes one model's files (and unfinished downloads) from the app's cache. */
export async function deleteCachedModel(baseUrl: string, manifest: ModelManifest): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const cache = await caches.open(MODEL_CACHE);
  let removed = 0;
  for (const f of manifest.files) {
    const url = new URL(f.path, baseUrl).href;
    if (await cache.delete(url)) removed++;
    await cache.delete(partialKey(url));
  }
  return removed;
}
