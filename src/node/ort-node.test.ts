import { afterEach, describe, expect, it } from 'vitest';
import { patchWriteBuffer } from './ort-node';

interface Call {
  data: unknown;
  dataOffset?: number;
  size?: number;
}

/** A stand-in for dawn.node's GPUQueue: like Dawn, it refuses shared memory. */
function installFakeQueue(calls: Call[]) {
  class FakeQueue {
    writeBuffer(_buffer: unknown, _offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number) {
      const backing = ArrayBuffer.isView(data) ? data.buffer : data;
      if (backing instanceof SharedArrayBuffer) throw new TypeError('no overload matched for writeBuffer');
      calls.push({ data, dataOffset, size });
    }
  }
  (globalThis as { GPUQueue?: unknown }).GPUQueue = FakeQueue;
  return new FakeQueue() as unknown as GPUQueue;
}

/** writeBuffer as ORT calls it: with shared memory, which the WebGPU types do not allow. */
const write = (queue: GPUQueue) =>
  queue.writeBuffer.bind(queue) as unknown as (b: GPUBuffer, o: number, d: SharedArrayBuffer | ArrayBufferView, off?: number, n?: number) => void;

afterEach(() => {
  delete (globalThis as { GPUQueue?: unknown }).GPUQueue;
});

describe('patchWriteBuffer', () => {
  const shared = new SharedArrayBuffer(64);
  new Uint8Array(shared).forEach((_, i, a) => (a[i] = i));
  const buffer = {} as GPUBuffer;

  it('copies a view of shared memory, counting offset and size in elements', () => {
    const calls: Call[] = [];
    const queue = installFakeQueue(calls);
    patchWriteBuffer();
    write(queue)(buffer, 0, new Uint32Array(shared, 8, 8), 2, 3);
    expect(calls).toHaveLength(1);
    expect([...(calls[0]!.data as Uint8Array)]).toEqual([...Array(12).keys()].map((i) => 16 + i));
  });

  it('copies a bare SharedArrayBuffer range, counting offset and size in bytes (JSEP upload)', () => {
    const calls: Call[] = [];
    const queue = installFakeQueue(calls);
    patchWriteBuffer();
    write(queue)(buffer, 0, shared, 40, 4);
    write(queue)(buffer, 0, new Uint8Array(shared, 60));
    expect(calls.map((c) => [...(c.data as Uint8Array)])).toEqual([
      [40, 41, 42, 43],
      [60, 61, 62, 63],
    ]);
  });

  it('passes ordinary memory through untouched', () => {
    const calls: Call[] = [];
    const queue = installFakeQueue(calls);
    patchWriteBuffer();
    const plain = new Float32Array([1, 2, 3]);
    queue.writeBuffer(buffer, 0, plain, 1, 2);
    expect(calls).toEqual([{ data: plain, dataOffset: 1, size: 2 }]);
  });
});
