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

export class ArtifactError extends Error {
  override name = 'ArtifactError';
  constructor(
    message: string,
    readonly code: 'missing' | 'hash-mismatch' | 'http' | 'not-in-manifest',
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
 * Fetches one model file, from Cache Storage when a verified copy is there, else from the network
 * with progress; every file is checked against the manifest's sha256 before it is used or cached.
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
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if ((await sha256Hex(bytes)) === file.sha256) {
      onProgress({ path: file.path, loaded: bytes.length, total: bytes.length, fromCache: true });
      return bytes;
    }
    await cache!.delete(url);
  }
  const res = await fetchFn(url);
  if (!res.ok) {
    throw new ArtifactError(`Could not download ${file.path} (${res.status} ${res.statusText}) from ${url}.`, res.status === 404 ? 'missing' : 'http');
  }
  const bytes = await readWithProgress(res, file, onProgress);
  const got = await sha256Hex(bytes);
  if (got !== file.sha256) {
    throw new ArtifactError(`${file.path} is corrupt or not the file the manifest names (sha256 ${got.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…).`, 'hash-mismatch');
  }
  await cache?.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => {});
  return bytes;
}

async function readWithProgress(res: Response, file: ManifestFile, onProgress: ProgressFn): Promise<Uint8Array> {
  const total = file.bytes;
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onProgress({ path: file.path, loaded: bytes.length, total, fromCache: false });
    return bytes;
  }
  const out = new Uint8Array(total);
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > total) {
      throw new ArtifactError(`${file.path} is larger than the manifest says (${total} bytes).`, 'hash-mismatch');
    }
    out.set(value, loaded);
    loaded += value.length;
    onProgress({ path: file.path, loaded, total, fromCache: false });
  }
  if (loaded !== total) throw new ArtifactError(`${file.path} ended after ${loaded} of ${total} bytes.`, 'hash-mismatch');
  return out;
}
