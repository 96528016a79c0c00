// Moving a model file's bytes between a Response body and one preallocated buffer without a
// second full-size copy: at 1.2 GB (vision.onnx) each extra copy is 1.2 GB of the browser's memory
// (docs/benchmarks.md, "Full size").

/**
 * Reads `res`'s body into `out` from `got.loaded` on, calling `onChunk` with each chunk after it is
 * stored. `got.loaded` grows per chunk, so when the connection drops and `read()` throws, the
 * caller still knows how much arrived. Returns 'overflow' (the rest of the body cancelled) when the
 * body is longer than `out` has room for; nothing past `out`'s end is written.
 */
export async function streamInto(
  res: Response,
  out: Uint8Array,
  got: { loaded: number },
  onChunk: (chunk: Uint8Array) => void = () => {},
): Promise<'complete' | 'overflow'> {
  if (!res.body) {
    // Only some fetch implementations give no stream (an empty body is null too).
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (got.loaded + bytes.length > out.length) return 'overflow';
    out.set(bytes, got.loaded);
    got.loaded += bytes.length;
    onChunk(bytes);
    return 'complete';
  }
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return 'complete';
    if (got.loaded + value.length > out.length) {
      await reader.cancel();
      return 'overflow';
    }
    out.set(value, got.loaded);
    got.loaded += value.length;
    onChunk(value);
  }
}

/** Size of the views bytesBody hands out: small enough that no consumer holds a large extra copy. */
const VIEW_BYTES = 1 << 20;

/**
 * A Response body over `bytes` that copies nothing up front. `new Response(uint8Array)` copies the
 * whole array first (the Fetch standard's "extract a body" takes a copy of a BufferSource); this
 * stream instead hands out 1 MiB views of it as the reader (cache.put) asks, so the only copies
 * are the reader's own, chunk by chunk. A plain (not 'bytes') stream: a byte stream's enqueue
 * would transfer, and so detach, the caller's buffer. `bytes` must stay unchanged until the body
 * has been read to its end (the callers await cache.put before handing the bytes on).
 */
export function bytesBody(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= bytes.length) {
          controller.close();
          return;
        }
        const end = Math.min(at + VIEW_BYTES, bytes.length);
        controller.enqueue(bytes.subarray(at, end));
        at = end;
      },
    },
    { highWaterMark: 0 },
  );
}
