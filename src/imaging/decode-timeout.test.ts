import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeInWorker, decodeTimeoutMs } from './decode';
import { ImagingError } from './errors';
import type { DecodeReply, DecodeRequest } from './protocol';

/** Stands in for the decode worker: records what it is sent; replies only when told to. */
class FakeWorker {
  static made: FakeWorker[] = [];
  onmessage: ((e: MessageEvent<DecodeReply>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  requests: DecodeRequest[] = [];
  constructor() {
    FakeWorker.made.push(this);
  }
  postMessage(request: DecodeRequest) {
    this.requests.push(request);
  }
  terminate() {
    this.terminated = true;
  }
  reply(reply: DecodeReply) {
    this.onmessage?.({ data: reply } as MessageEvent<DecodeReply>);
  }
}

describe('decodeInWorker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('Worker', FakeWorker);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('stops a decode that hangs, says so, and starts a fresh worker for the next file', async () => {
    const hung = decodeInWorker(new ArrayBuffer(100), 'hangs.dcm');
    const other = decodeInWorker(new ArrayBuffer(100), 'queued.png');
    const first = FakeWorker.made.at(-1)!;
    const caught = Promise.all([hung.catch((e: unknown) => e), other.catch((e: unknown) => e)]);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(first.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const [e1, e2] = await caught;
    expect(first.terminated).toBe(true);
    expect(e1).toBeInstanceOf(ImagingError);
    expect((e1 as Error).message).toBe('hangs.dcm took longer than 20 s to decode and was stopped; the file may be damaged.');
    expect((e2 as Error).message).toMatch(/restarted while queued\.png waited \(hangs\.dcm took too long\)/);

    const next = decodeInWorker(new ArrayBuffer(4), 'good.png');
    const second = FakeWorker.made.at(-1)!;
    expect(second).not.toBe(first);
    const grey = { width: 1, height: 1, data: new Uint8Array(1) };
    second.reply({ kind: 'decoded', id: second.requests[0]!.id, image: {} as never, grey, ms: 1 });
    await expect(next).resolves.toMatchObject({ grey, ms: 1 });
    // A decode that answered in time leaves no timer behind.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second.terminated).toBe(false);
  });

  it('gives large files more time', () => {
    expect(decodeTimeoutMs(0)).toBe(20_000);
    expect(decodeTimeoutMs(10 * 2 ** 20)).toBe(40_000);
  });
});
