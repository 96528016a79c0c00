import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planChunks, truncatePieces, type Piece } from './chunks';

type Img = { rows: number };
const text = (n: number, from = 0): Piece<Img> => ({ kind: 'text', ids: Array.from({ length: n }, (_, i) => from + i) });
const image = (count: number): Piece<Img> => ({ kind: 'image', image: { rows: count }, from: 0, count });
const shape = (chunks: Piece<Img>[][]) => chunks.map((c) => c.map((p) => (p.kind === 'text' ? `t${p.ids.length}` : `i${p.count}`)));

/** WebLLM 0.2.86's own getChunkedPrefillInputData, taken from the installed lib/index.js. */
function webLlmChunker(): (data: unknown[], chunk: number, size: (img: Img) => number) => [unknown[][], number[]] {
  const require = createRequire(import.meta.url);
  const src = readFileSync(path.join(path.dirname(require.resolve('@mlc-ai/web-llm/package.json')), 'lib/index.js'), 'utf8');
  const start = src.indexOf('function getChunkedPrefillInputData(');
  const end = src.indexOf('return [chunks, chunkLens];\n}', start) + 'return [chunks, chunkLens];\n}'.length;
  expect(start).toBeGreaterThan(0);
  return new Function('PrefillChunkSizeSmallerThanImageError', `${src.slice(start, end)}\nreturn getChunkedPrefillInputData;`)(class extends Error {});
}

describe('prefill chunks', () => {
  it('keeps a report prompt in one chunk when the lib allows it', () => {
    expect(shape(planChunks([text(42), image(1024), text(56)], 2048))).toEqual([['t42', 'i1024', 't56']]);
  });

  it('breaks before the image instead of splitting it (chunk 1024 = the image exactly)', () => {
    expect(shape(planChunks([text(42), image(1024), text(56)], 1024))).toEqual([['t42'], ['i1024'], ['t56']]);
    expect(shape(planChunks([text(2100), image(1024), text(10)], 1024))).toEqual([['t1024'], ['t1024'], ['t52'], ['i1024'], ['t10']]);
    expect(shape(planChunks([text(600), image(400), text(100)], 1024))).toEqual([['t600', 'i400', 't24'], ['t76']]);
    expect(() => planChunks([image(1025)], 1024)).toThrow(/never split/);
  });

  it('splits text across chunks in order, and a single position is its own chunk', () => {
    const chunks = planChunks([text(2500)], 1024);
    expect(shape(chunks)).toEqual([['t1024'], ['t1024'], ['t452']]);
    expect(chunks.flat().flatMap((p) => (p.kind === 'text' ? p.ids : []))).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(shape(planChunks([text(1)], 1024))).toEqual([['t1']]);
  });

  it('chunks exactly like WebLLM 0.2.86 does on random prompts', () => {
    const theirs = webLlmChunker();
    let seed = 7;
    const rnd = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    for (let trial = 0; trial < 500; trial++) {
      const chunk = [16, 64, 1024, 2048][rnd(4)]!;
      const pieces: Piece<Img>[] = Array.from({ length: 1 + rnd(5) }, () => (rnd(3) === 0 ? image(1 + rnd(chunk)) : text(1 + rnd(3 * chunk))));
      const data = pieces.map((p) => (p.kind === 'text' ? p.ids : p.image));
      const [chunks] = theirs(data, chunk, (img) => img.rows);
      const want = chunks.map((c) => c.map((d) => (Array.isArray(d) ? `t${d.length}` : `i${(d as Img).rows}`)));
      expect(shape(planChunks(pieces, chunk))).toEqual(want);
    }
  });

  it('truncates to a prefix, cutting text or image rows', () => {
    const pieces = [text(42), image(1024), text(56)];
    expect(shape([truncatePieces(pieces, 1100)])).toEqual([['t42', 'i1024', 't34']]);
    expect(shape([truncatePieces(pieces, 100)])).toEqual([['t42', 'i58']]);
    expect(truncatePieces(pieces, 0)).toEqual([]);
  });
});
