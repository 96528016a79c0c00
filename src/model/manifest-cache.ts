/** The app's own copy of each manifest it has read, so discovery and loading work offline. */
export const MANIFEST_CACHE = 'cxr-llava-manifests';

export interface ManifestFetch {
  /** HTTP status (200 when served from the local copy); 0 when offline with no copy. */
  status: number;
  text: string;
  fromCache: boolean;
}

/**
 * Network first; the last good copy when the network is down. While the browser says it is
 * offline the network is not tried at all, so an offline session makes no failing requests. A
 * 404 from a reachable server is believed (the model was removed), not papered over.
 */
export async function fetchManifestText(url: string, fetchFn: typeof fetch = fetch): Promise<ManifestFetch> {
  const key = new URL(url, typeof location !== 'undefined' ? location.href : 'file:///').href;
  const cache = typeof caches !== 'undefined' ? await caches.open(MANIFEST_CACHE).catch(() => null) : null;
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  let failure: unknown = null;
  if (!offline) {
    try {
      const res = await fetchFn(url, { cache: 'no-cache' });
      if (!res.ok) return { status: res.status, text: '', fromCache: false };
      const text = await res.text();
      // Dev servers answer unknown paths with index.html; only JSON is worth keeping.
      if (text.trimStart().startsWith('{')) {
        await cache?.put(key, new Response(text, { headers: { 'Content-Type': 'application/json' } })).catch(() => {});
      }
      return { status: res.status, text, fromCache: false };
    } catch (err) {
      failure = err;
    }
  }
  const hit = await cache?.match(key);
  if (hit) return { status: 200, text: await hit.text(), fromCache: true };
  if (failure) throw failure;
  return { status: 0, text: '', fromCache: false };
}
