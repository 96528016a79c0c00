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
 */
export async function fetchArtifact(
  baseUrl: string,
  file: ManifestFile,
  onProgress: ProgressFn = () => {},
  fetchFn: typeof fetch = fetch,
): Promise<Uint8Array> {
  const url = new URL(file.path, baseUrl).href;
  const cache = typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE).catch(() => null) : null;
  const hit = await cache?.match(url);
  let corruptCopy = false;
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if ((await sha256Hex(bytes)) === file.sha256) {
      onProgress({ path: file.path, loaded: bytes.length, total: bytes.length, fromCache: true });
      return bytes;
    }
    corruptCopy = true;
    await cache!.delete(url);
  }
  const partial = await readPartial(cache, url, file.bytes);
  let res: Response;
  try {
    res = await fetchFn(url, partial.length ? { headers: { Range: `bytes=${partial.length}-` } } : undefined);
  } catch (err) {
    if (corruptCopy) {
      throw new ArtifactError(`The cached copy of ${file.path} is corrupt (wrong sha256) and it cannot be downloaded again now (${String(err)}). Reconnect to the network and load the model again.`, 'corrupt-offline');
    }
    throw new ArtifactError(`Could not download ${file.path}: ${String(err)}. Check the connection; finished files are kept.`, 'interrupted');
  }
  if (!res.ok) {
    throw new ArtifactError(`Could not download ${file.path} (${res.status} ${res.statusText}) from ${url}.`, res.status === 404 ? 'missing' : 'http');
  }
  const resumed = res.status === 206 && partial.length > 0 && contentRangeStart(res) === partial.length;
  const out = new Uint8Array(file.bytes);
  // Counted as chunks arrive: when the connection drops, reader.read() throws, and what arrived
  // until then is what the next attempt continues from (a return value would be lost with the throw).
  const got = { loaded: 0 };
  if (resumed) {
    out.set(partial);
    got.loaded = partial.length;
  }
  let loaded: number;
  try {
    loaded = await readInto(res, out, got, file, onProgress);
  } catch (err) {
    if (err instanceof ArtifactError) throw err;
    loaded = got.loaded;
    // Keep what arrived so the next attempt continues from here.
    await cache?.put(partialKey(url), new Response(out.subarray(0, loaded))).catch(() => {});
    throw new ArtifactError(`The download of ${file.path} stopped after ${loaded} of ${file.bytes} bytes (${String(err)}). Load the model again to continue where it stopped.`, 'interrupted');
  }
  if (loaded !== file.bytes) {
    await cache?.put(partialKey(url), new Response(out.subarray(0, loaded))).catch(() => {});
    throw new ArtifactError(`${file.path} ended after ${loaded} of ${file.bytes} bytes. Load the model again to continue.`, 'interrupted');
  }
  await cache?.delete(partialKey(url)).catch(() => false);
  const digest = await sha256Hex(out);
  if (digest !== file.sha256) {
    throw new ArtifactError(`${file.path} is corrupt or not the file the manifest names (sha256 ${digest.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…).`, 'hash-mismatch');
  }
  try {
    await cache?.put(url, new Response(out as Uint8Array<ArrayBuffer>, { headers: { 'Content-Type': 'application/octet-stream' } }));
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

/** QuotaExceededError, as Chromium's and Firefox's Cache Storage throw it (a DOMException). */
export function isQuotaError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ((err as { name?: string }).name === 'QuotaExceededError' || (err as { code?: number }).code === 22);
}

const formatMB = (n: number) => `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0)} MB`;

async function readPartial(cache: Cache | null | undefined, url: string, total: number): Promise<Uint8Array> {
  const r = await cache?.match(partialKey(url));
  if (!r) return new Uint8Array(0);
  const bytes = new Uint8Array(await r.arrayBuffer());
  return bytes.length < total ? bytes : new Uint8Array(0);
}

function contentRangeStart(res: Response): number | null {
  const m = res.headers.get('Content-Range')?.match(/^bytes (\d+)-/);
  return m ? Number(m[1]) : null;
}

async function readInto(res: Response, out: Uint8Array, got: { loaded: number }, file: ManifestFile, onProgress: ProgressFn): Promise<number> {
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (got.loaded + bytes.length > out.length) throw new ArtifactError(`${file.path} is larger than the manifest says (${file.bytes} bytes).`, 'hash-mismatch');
    out.set(bytes, got.loaded);
    got.loaded += bytes.length;
    onProgress({ path: file.path, loaded: got.loaded, total: file.bytes, fromCache: false });
    return got.loaded;
  }
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (got.loaded + value.length > out.length) {
      await reader.cancel();
      throw new ArtifactError(`${file.path} is larger than the manifest says (${file.bytes} bytes).`, 'hash-mismatch');
    }
    out.set(value, got.loaded);
    got.loaded += value.length;
    onProgress({ path: file.path, loaded: got.loaded, total: file.bytes, fromCache: false });
  }
  return got.loaded;
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
