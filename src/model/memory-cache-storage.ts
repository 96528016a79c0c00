/**
 * Test double of the browser's Cache Storage (`caches`) for Node, where it does not exist: the
 * calls fetchArtifact makes (open, match, put, delete), keyed by URL as the browser keys them. What
 * the unit tests need of a real store: put reads the whole body (as the browser does before it
 * resolves), a full store rejects with a QuotaExceededError DOMException, and match answers a body
 * that streams in chunks of `readChunk` bytes (a browser reads a cached file back in pieces too).
 * The real store is exercised in Chromium by e2e/download-pipeline.e2e.ts and e2e/offline.e2e.ts.
 */
export class MemoryCache {
  readonly entries = new Map<string, Uint8Array>();
  /** Every put, in order: URL and bytes stored. */
  readonly puts: { url: string; bytes: number }[] = [];

  constructor(
    private readonly store: MemoryCacheStorage,
    private readonly readChunk: () => number,
  ) {}

  async match(request: RequestInfo | URL): Promise<Response | undefined> {
    const bytes = this.entries.get(keyOf(request));
    if (!bytes) return undefined;
    const copy = bytes.slice();
    const step = this.readChunk();
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= copy.length) return controller.close();
        controller.enqueue(copy.slice(at, at + step));
        at += step;
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'application/octet-stream' } });
  }

  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    const bytes = new Uint8Array(await response.arrayBuffer());
    const url = keyOf(request);
    const others = this.store.usedBytes() - (this.entries.get(url)?.length ?? 0);
    if (others + bytes.length > this.store.quota) throw new DOMException('Quota exceeded.', 'QuotaExceededError');
    this.entries.set(url, bytes);
    this.puts.push({ url, bytes: bytes.length });
  }

  async delete(request: RequestInfo | URL): Promise<boolean> {
    return this.entries.delete(keyOf(request));
  }
}

export class MemoryCacheStorage {
  private readonly caches = new Map<string, MemoryCache>();
  /** Bytes all caches may hold together. */
  quota = Infinity;
  /** Size of the chunks a matched body streams in. */
  readChunk = 64 * 1024;

  async open(name: string): Promise<MemoryCache> {
    let c = this.caches.get(name);
    if (!c) this.caches.set(name, (c = new MemoryCache(this, () => this.readChunk)));
    return c;
  }

  usedBytes(): number {
    let n = 0;
    for (const c of this.caches.values()) for (const b of c.entries.values()) n += b.length;
    return n;
  }
}

function keyOf(request: RequestInfo | URL): string {
  return typeof request === 'string' ? request : request instanceof URL ? request.href : request.url;
}
