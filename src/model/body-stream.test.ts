import { describe, expect, it } from 'vitest';
import { bytesBody, streamInto } from './body-stream';

const counting = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

describe('bytesBody', () => {
  it('hands out views of the caller’s buffer, 1 MiB at a time, and reads back the same bytes', async () => {
    const bytes = counting(2.5 * 2 ** 20);
    const reader = bytesBody(bytes).getReader();
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    expect(chunks.map((c) => c.length)).toEqual([2 ** 20, 2 ** 20, 2 ** 19]);
    expect(chunks.every((c) => c.buffer === bytes.buffer)).toBe(true);
    expect(chunks.map((c) => c.byteOffset)).toEqual([0, 2 ** 20, 2 ** 21]);
    const back = new Uint8Array(await new Response(bytesBody(bytes)).arrayBuffer());
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
    // Not detached: a byte stream's enqueue would have transferred the buffer away from the caller.
    expect(bytes.byteLength).toBe(2.5 * 2 ** 20);
  });

  it('why it exists: new Response(uint8Array) takes a full copy at construction (the Fetch standard’s "extract a body")', async () => {
    const bytes = counting(1000);
    const copied = new Response(bytes);
    const streamed = new Response(bytesBody(bytes));
    bytes[0] = 0xaa;
    expect(new Uint8Array(await copied.arrayBuffer())[0]).toBe(7);
    expect(new Uint8Array(await streamed.arrayBuffer())[0]).toBe(0xaa);
  });

  it('an empty buffer is an empty body', async () => {
    expect((await new Response(bytesBody(new Uint8Array(0))).arrayBuffer()).byteLength).toBe(0);
  });
});

describe('streamInto', () => {
  it('fills the buffer from the given offset and reports every chunk', async () => {
    const out = new Uint8Array(10);
    const got = { loaded: 3 };
    const seen: number[] = [];
    const res = new Response(new Uint8Array([1, 2, 3, 4]));
    expect(await streamInto(res, out, got, (c) => seen.push(c.length))).toBe('complete');
    expect([...out]).toEqual([0, 0, 0, 1, 2, 3, 4, 0, 0, 0]);
    expect(got.loaded).toBe(7);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('stops at a body longer than the room left, writing nothing past the end', async () => {
    const backing = new Uint8Array(8).fill(9);
    const out = backing.subarray(0, 4);
    const got = { loaded: 0 };
    expect(await streamInto(new Response(new Uint8Array([1, 2, 3, 4, 5])), out, got)).toBe('overflow');
    expect([...backing.subarray(4)]).toEqual([9, 9, 9, 9]);
  });

  it('counts what arrived before the body errors (a dropped connection)', async () => {
    let n = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (n++ < 3) c.enqueue(new Uint8Array(5).fill(n));
          else c.error(new TypeError('network error'));
        },
      },
      { highWaterMark: 0 },
    );
    const out = new Uint8Array(100);
    const got = { loaded: 0 };
    await expect(streamInto(new Response(body), out, got)).rejects.toThrow('network error');
    expect(got.loaded).toBe(15);
    expect([...out.subarray(10, 16)]).toEqual([3, 3, 3, 3, 3, 0]);
  });
});
