// fetchArtifact's incremental sha256: the digest is computed chunk by chunk as bytes arrive (from
// the network, from a kept partial download, from a cached copy) and must equal node:crypto's
// one-shot sha256 of the whole file whatever the chunking; a single wrong byte anywhere must still
// be caught. The network is a fetch function answering real Response objects whose bodies stream
// in chunks of a chosen size (with Range and a dropped connection as a server does them); the
// browser's Cache Storage is the in-memory double of memory-cache-storage.ts (Node has none).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactError, MODEL_CACHE, fetchArtifact, readHashed, type FileProgress } from './artifacts';
import type { ManifestFile } from './manifest';
import { MemoryCacheStorage } from './memory-cache-storage';

const BASE = 'https://models.example/cxr/';
const URL_ = `${BASE}vision.onnx`;
const PARTIAL = `${URL_}?cxr-partial=1`;

/** Seeded bytes (an LCG), so a failure is reproducible. */
function seeded(n: number, seed = 7): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const fileOf = (b: Uint8Array): ManifestFile => ({ path: 'vision.onnx', bytes: b.length, sha256: sha256(b) }) as ManifestFile;

interface ServeOptions {
  chunk: number;
  /** The body errors (a dropped connection) after this many bytes of this response. */
  dropAfter?: number;
  /** Answer 200 with the whole file even to a Range request. */
  ignoreRange?: boolean;
}

/** A file server as fetch sees one: Range → 206 + Content-Range; records each request's Range. */
function server(bytes: Uint8Array) {
  const requests: (string | null)[] = [];
  let next: ServeOptions[] = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const opts = next.shift();
    if (!opts) throw new TypeError('Failed to fetch');
    const range = new Headers(init?.headers).get('Range');
    requests.push(range);
    const start = range && !opts.ignoreRange ? Number(range.match(/^bytes=(\d+)-$/)![1]) : 0;
    const body = bytes.slice(start);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (opts.dropAfter !== undefined && at >= opts.dropAfter) return controller.error(new TypeError('network error'));
        if (at >= body.length) return controller.close();
        const end = Math.min(at + opts.chunk, body.length, opts.dropAfter ?? Infinity);
        controller.enqueue(body.slice(at, end));
        at = end;
      },
      // Pulled only when read: an error must not discard a chunk queued ahead (as a socket's would not).
    }, { highWaterMark: 0 });
    const headers: Record<string, string> = { 'Content-Length': String(body.length) };
    if (start > 0) headers['Content-Range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    return new Response(stream, { status: start > 0 ? 206 : 200, headers });
  }) as typeof fetch;
  return {
    fetchFn,
    requests,
    /** The responses of the next requests, in order; a request past them fails as offline. */
    answer: (...o: ServeOptions[]) => (next = o),
  };
}

let storage: MemoryCacheStorage;
beforeEach(() => {
  storage = new MemoryCacheStorage();
  (globalThis as { caches?: unknown }).caches = storage;
});
afterEach(() => {
  delete (globalThis as { caches?: unknown }).caches;
});
const cache = () => storage.open(MODEL_CACHE);
const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ArtifactError);

describe('fetchArtifact: the sha256 computed as chunks arrive', () => {
  const bytes = seeded(200_003);
  const file = fileOf(bytes);

  it.each([1, 7, 4096, 65_536, 65_539, 200_003])('downloads in %i-byte chunks: the same bytes, the manifest sha256, stored verified', async (chunk) => {
    // Chunks of 1 byte on the whole 200 kB file would take 200k awaits: 1-byte chunks on a smaller one.
    const data = chunk === 1 ? seeded(5_001, 3) : bytes;
    const net = server(data);
    net.answer({ chunk });
    const events: FileProgress[] = [];
    const got = await fetchArtifact(BASE, fileOf(data), (p) => events.push(p), net.fetchFn);
    expect(sha256(got)).toBe(sha256(data));
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(events).toHaveLength(Math.ceil(data.length / chunk));
    expect(events.at(-1)).toEqual({ path: 'vision.onnx', loaded: data.length, total: data.length, fromCache: false });
    expect(sha256((await cache()).entries.get(URL_)!)).toBe(sha256(data));
  });

  it.each([0, 65_535, 65_536, 100_000, 200_002])('a byte changed at %i is caught (hash-mismatch), and nothing is stored', async (at) => {
    const bad = bytes.slice();
    bad[at]! ^= 0x01;
    const net = server(bad);
    net.answer({ chunk: 65_536 });
    const err = await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    expect(err).toBeInstanceOf(ArtifactError);
    expect(err!.code).toBe('hash-mismatch');
    expect(err!.message).toBe(`vision.onnx is corrupt or not the file the manifest names (sha256 ${sha256(bad).slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…).`);
    expect((await cache()).entries.size).toBe(0);
  });

  it('a body longer than the manifest says is refused before it overruns the buffer', async () => {
    const net = server(seeded(bytes.length + 10));
    net.answer({ chunk: 4096 });
    const err = await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    expect(err?.code).toBe('hash-mismatch');
    expect(err?.message).toBe(`vision.onnx is larger than the manifest says (${bytes.length} bytes).`);
  });
});

describe('fetchArtifact: a resumed download hashes the kept bytes first', () => {
  const bytes = seeded(300_017, 11);
  const file = fileOf(bytes);

  it.each([
    [4096, 1000],
    [65_536, 131_072],
    [7, 299_999],
  ])('%i-byte chunks, dropped after %i bytes: kept, resumed with Range, the whole file verified', async (chunk, drop) => {
    const net = server(bytes);
    net.answer({ chunk: Math.max(chunk, 4096), dropAfter: drop }, { chunk });
    const first = await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    expect(first?.code).toBe('interrupted');
    expect(first?.message).toBe(`The download of vision.onnx stopped after ${drop} of ${bytes.length} bytes (TypeError: network error). Load the model again to continue where it stopped.`);
    expect(sha256((await cache()).entries.get(PARTIAL)!)).toBe(sha256(bytes.subarray(0, drop)));

    const events: FileProgress[] = [];
    const got = await fetchArtifact(BASE, file, (p) => events.push(p), net.fetchFn);
    expect(net.requests).toEqual([null, `bytes=${drop}-`]);
    expect(sha256(got)).toBe(file.sha256);
    expect(events[0]!.loaded).toBe(Math.min(drop + chunk, bytes.length));
    expect(events.at(-1)!.loaded).toBe(bytes.length);
    const c = await cache();
    expect(c.entries.has(PARTIAL)).toBe(false);
    expect(sha256(c.entries.get(URL_)!)).toBe(file.sha256);
  });

  it('a byte changed in the kept part is caught after the resume', async () => {
    const net = server(bytes);
    net.answer({ chunk: 4096, dropAfter: 150_000 }, { chunk: 4096 });
    await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    const c = await cache();
    c.entries.get(PARTIAL)![12_345]! ^= 0x80;
    const err = await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    expect(net.requests).toEqual([null, 'bytes=150000-']);
    expect(err?.code).toBe('hash-mismatch');
    expect(c.entries.has(URL_)).toBe(false);
  });

  it('a byte changed in the resumed rest is caught', async () => {
    const bad = bytes.slice();
    bad[200_000]! ^= 0x02;
    const net = server(bad);
    net.answer({ chunk: 4096, dropAfter: 150_000 }, { chunk: 4096 });
    await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    const err = await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    expect(err?.code).toBe('hash-mismatch');
    expect(err?.message).toContain(`sha256 ${sha256(bad).slice(0, 12)}…`);
  });

  it('a server that ignores Range sends the whole file again: hashed from the start, not after the kept part', async () => {
    const net = server(bytes);
    net.answer({ chunk: 4096, dropAfter: 100_000 }, { chunk: 8192, ignoreRange: true });
    await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    const got = await fetchArtifact(BASE, file, () => {}, net.fetchFn);
    expect(net.requests).toEqual([null, 'bytes=100000-']);
    expect(sha256(got)).toBe(file.sha256);
  });

  it('a body that ends short keeps what came and says how much', async () => {
    const net = server(bytes.subarray(0, 70_000));
    net.answer({ chunk: 4096 });
    const err = await errorOf(fetchArtifact(BASE, file, () => {}, net.fetchFn));
    expect(err?.message).toBe(`vision.onnx ended after 70000 of ${bytes.length} bytes. Load the model again to continue.`);
    expect((await cache()).entries.get(PARTIAL)?.length).toBe(70_000);
  });
});

describe('fetchArtifact: a cached copy is hashed as it is read back', () => {
  const bytes = seeded(250_001, 5);
  const file = fileOf(bytes);

  it.each([1000, 65_536, 250_001])('read back in %i-byte chunks: verified, no network', async (readChunk) => {
    storage.readChunk = readChunk;
    await (await cache()).put(URL_, new Response(bytes.slice()));
    const events: FileProgress[] = [];
    const net = server(bytes);
    const got = await fetchArtifact(BASE, file, (p) => events.push(p), net.fetchFn);
    expect(sha256(got)).toBe(file.sha256);
    expect(net.requests).toEqual([]);
    expect(events).toEqual([{ path: 'vision.onnx', loaded: bytes.length, total: bytes.length, fromCache: true }]);
  });

  it('a corrupt cached byte: the copy is dropped and the file downloaded again', async () => {
    const bad = bytes.slice();
    bad[249_999]! ^= 0x10;
    const c = await cache();
    await c.put(URL_, new Response(bad));
    const net = server(bytes);
    net.answer({ chunk: 65_536 });
    const got = await fetchArtifact(BASE, file, () => {}, net.fetchFn);
    expect(net.requests).toEqual([null]);
    expect(sha256(got)).toBe(file.sha256);
    expect(sha256(c.entries.get(URL_)!)).toBe(file.sha256);
  });

  it('a corrupt cached copy while offline: the corrupt-offline message', async () => {
    const bad = bytes.slice();
    bad[0]! ^= 0x01;
    await (await cache()).put(URL_, new Response(bad));
    const err = await errorOf(fetchArtifact(BASE, file, () => {}, server(bytes).fetchFn));
    expect(err?.code).toBe('corrupt-offline');
    expect(err?.message).toBe('The cached copy of vision.onnx is corrupt (wrong sha256) and it cannot be downloaded again now (TypeError: Failed to fetch). Reconnect to the network and load the model again.');
  });

  it('readHashed: a copy longer or shorter than the manifest size is not the file', async () => {
    const out = new Uint8Array(bytes.length);
    expect(await readHashed(new Response(bytes.slice()), out)).toBe(file.sha256);
    expect(await readHashed(new Response(seeded(bytes.length + 1, 5)), new Uint8Array(bytes.length))).toBeNull();
    // A copy cut short whose missing tail happens to be zeros would hash right over the zero-filled buffer: the count refuses it.
    const zeroTail = bytes.slice();
    zeroTail.fill(0, 200_000);
    expect(await readHashed(new Response(zeroTail.slice(0, 200_000)), new Uint8Array(bytes.length))).toBeNull();
  });
});

describe('fetchArtifact: a full store', () => {
  it('names the file when the verified download cannot be kept', async () => {
    const bytes = seeded(3 * 2 ** 20, 9);
    storage.quota = 2 ** 20;
    const net = server(bytes);
    net.answer({ chunk: 65_536 });
    const err = await errorOf(fetchArtifact(BASE, fileOf(bytes), () => {}, net.fetchFn));
    expect(err?.code).toBe('quota');
    expect(err?.message).toMatch(/^Browser storage is full: vision\.onnx \(3\.0 MB\) downloaded and verified, but it cannot be kept/);
  });
});
