/** A run of positions: text ids, or rows [from, from + count) of an image. */
export type Piece<I> = { kind: 'text'; ids: number[] } | { kind: 'image'; image: I; from: number; count: number };

export const pieceLength = <I>(p: Piece<I>): number => (p.kind === 'text' ? p.ids.length : p.count);

/**
 * Splits positions into prefill chunks of at most `chunkSize` the way WebLLM's own
 * getChunkedPrefillInputData does (greedy fill; text may be split), except that an image is never
 * split: when it does not fit in what is left of a chunk, the chunk ends before it. The KV cache
 * and the model lib are compiled for `chunkSize` positions per forward at most.
 */
export function planChunks<I>(pieces: Piece<I>[], chunkSize: number): Piece<I>[][] {
  const chunks: Piece<I>[][] = [];
  let cur: Piece<I>[] = [];
  let len = 0;
  const close = () => {
    if (cur.length) chunks.push(cur);
    cur = [];
    len = 0;
  };
  for (const p of pieces) {
    if (p.kind === 'image') {
      if (p.count > chunkSize) {
        throw new Error(`an image of ${p.count} rows cannot go through a model lib whose prefill chunk is ${chunkSize} positions (images are never split)`);
      }
      if (len + p.count > chunkSize) close();
      cur.push(p);
      len += p.count;
    } else {
      let at = 0;
      while (at < p.ids.length) {
        const take = Math.min(p.ids.length - at, chunkSize - len);
        cur.push({ kind: 'text', ids: p.ids.slice(at, at + take) });
        len += take;
        at += take;
        if (len === chunkSize) close();
      }
    }
    if (len === chunkSize) close();
  }
  close();
  return chunks;
}

/** The first `length` positions of `pieces` (an image may be cut: trimming keeps any prefix). */
export function truncatePieces<I>(pieces: Piece<I>[], length: number): Piece<I>[] {
  const out: Piece<I>[] = [];
  let at = 0;
  for (const p of pieces) {
    if (at >= length) break;
    const keep = Math.min(pieceLength(p), length - at);
    out.push(p.kind === 'text' ? { kind: 'text', ids: p.ids.slice(0, keep) } : { ...p, count: keep });
    at += keep;
  }
  return out;
}
