import 'fake-indexeddb/auto';
import { createStore, get, set } from 'idb-keyval';
import { describe, expect, it, vi } from 'vitest';
import { LengthsStorage } from './lengths-storage';

const db = () => `lengths-test-${Math.random()}`;
const heart = { a: { x: 10, y: 20 }, b: { x: 110, y: 20 }, role: 'heart' as const };
const plain = { a: { x: 1.5, y: 2 }, b: { x: 3, y: 4 } };
/** Lets the fire-and-forget IndexedDB writes land. */
const written = () => new Promise((r) => setTimeout(r, 20));

describe('LengthsStorage', () => {
  it("keeps each image's lengths by its key, for this tab and for the next page (IndexedDB)", async () => {
    const name = db();
    const here = new LengthsStorage(name);
    here.save('img-a', [heart, plain]);
    here.save('img-b', [plain]);
    expect(await here.load('img-a')).toEqual([heart, plain]);
    await written();
    // A reload: a new page's storage reads them from IndexedDB.
    const next = new LengthsStorage(name);
    expect(await next.load('img-a')).toEqual([heart, plain]);
    expect(await next.load('img-b')).toEqual([plain]);
    expect(await next.load('img-c')).toEqual([]);
    // All removed: the record goes.
    next.save('img-b', []);
    await written();
    expect(await get('img-b', createStore(name, 'lengths'))).toBeUndefined();
  });

  it('leaves out records that are not lengths (an older or damaged one), rather than drawing them', async () => {
    const name = db();
    await set('img', [plain, { a: { x: 'x', y: 1 }, b: plain.b }, { a: plain.a, b: plain.b, role: 'lung' }, null, heart], createStore(name, 'lengths'));
    await set('other', { not: 'a list' }, createStore(name, 'lengths'));
    const s = new LengthsStorage(name);
    expect(await s.load('img')).toEqual([plain, heart]);
    expect(await s.load('other')).toEqual([]);
  });

  it('clears every image, here and in IndexedDB, and tells the viewer', async () => {
    const name = db();
    const s = new LengthsStorage(name);
    const cleared = vi.fn();
    s.onCleared(cleared);
    s.save('img', [plain]);
    await written();
    await s.clear();
    expect(cleared).toHaveBeenCalledTimes(1);
    expect(await s.load('img')).toEqual([]);
    expect(await new LengthsStorage(name).load('img')).toEqual([]);
  });
});
