import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DecodedImage } from '../imaging/types';
import { createAppStore, type AppStore } from '../state/store';
import { localStorageJournal, memoryJournal, type DraftJournal } from './draft-journal';
import { clearAllLocalData } from './clear-local-data';
import { asDraft, DraftPersistence, idbDraftStorage, SCRATCH, type Draft, type DraftStorage } from './drafts';
import { LengthsStorage } from './lengths-storage';
import { studyFingerprint } from './study-fingerprint';

function image(seed: number, meta: DecodedImage['meta'] = []): DecodedImage {
  const pixels = new Uint16Array(64).map((_, i) => (i * 37 + seed * 101) & 0xfff);
  return {
    format: 'dicom',
    width: 8,
    height: 8,
    pixels,
    bitsStored: 12,
    signed: false,
    minStored: 0,
    maxStored: 4095,
    slope: 1,
    intercept: 0,
    windows: [],
    voiLut: null,
    voiLutFunction: 'LINEAR',
    invert: false,
    photometric: 'MONOCHROME2',
    identity8: false,
    frames: 1,
    pixelSpacing: null,
    meta,
    notes: [],
  };
}

/** Opens an image the way the intake does: a new study key every time. */
function open(store: AppStore, img: DecodedImage, fileName = 'chest.dcm') {
  const s = store.getState();
  s.finishIntake(s.startIntake(fileName), { fileName, image: img, modelInput: { width: 1, height: 1, data: new Uint8Array(1) }, decodeMs: 1 });
}

let dbSeq = 0;
const newStorage = () => idbDraftStorage(`drafts-test-${++dbSeq}`);
const FAST = { debounceMs: 5, maxWaitMs: 40 };
const started: DraftPersistence[] = [];

async function startPersistence(store: AppStore, storage: DraftStorage, opts: ConstructorParameters<typeof DraftPersistence>[2] = FAST) {
  const p = new DraftPersistence(store, storage, opts);
  started.push(p);
  await p.start();
  return p;
}

async function settle(p: DraftPersistence) {
  await new Promise((r) => setTimeout(r, 30));
  await p.flush();
}

afterEach(() => {
  started.splice(0).forEach((p) => p.stop());
});

describe('DraftPersistence (IndexedDB via fake-indexeddb)', () => {
  it('saves the report debounced, and puts it back after a reload before any image is opened', async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    open(store, image(1));
    await p.idle();
    store.getState().startReport('report');
    store.getState().appendReport('No pleural effusion.');
    store.getState().finishStreaming();
    store.getState().editReport('No pleural effusion. Edited.');
    store.getState().startChat('Pneumothorax?');
    store.getState().appendChat('No');
    await settle(p);
    const key = await studyFingerprint(image(1));
    expect(await storage.lastKey()).toBe(key);
    const saved = await storage.load(key);
    expect(saved).toMatchObject({ report: 'No pleural effusion. Edited.', reportPreset: 'report', label: 'DICOM · 8 × 8 px' });
    // No pixels in the draft.
    expect(JSON.stringify(saved)).not.toMatch(/pixels|Uint16Array/);

    // "Reload": a fresh store, the same database. The streaming chat answer comes back stopped.
    const store2 = createAppStore();
    await startPersistence(store2, storage);
    const s2 = store2.getState();
    expect(s2.report).toBe('No pleural effusion. Edited.');
    expect(s2.chat).toEqual([
      { role: 'user', text: 'Pneumothorax?' },
      { role: 'assistant', text: 'No', streaming: false, interrupted: true },
    ]);
    expect(s2.draftNotice?.savedAt).toBe(saved!.savedAt);
    expect(s2.study).toBeNull();
  });

  it('keeps one draft per study and restores it when the same image is opened again', async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    open(store, image(1), 'a.dcm');
    await p.idle();
    store.getState().editReport('Report for A');
    await settle(p);

    open(store, image(2), 'b.dcm');
    await p.idle();
    expect(store.getState().report).toBe('');
    expect(store.getState().draftNotice).toBeNull();
    store.getState().editReport('Report for B');
    await settle(p);

    open(store, image(1), 'a-again.dcm');
    await p.idle();
    expect(store.getState().report).toBe('Report for A');
    expect(store.getState().draftNotice).not.toBeNull();
    open(store, image(2), 'b.dcm');
    await p.idle();
    expect(store.getState().report).toBe('Report for B');
  });

  it('after a reload, opening the image the restored draft belongs to keeps it on screen', async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    open(store, image(3));
    await p.idle();
    store.getState().editReport('Keep me');
    await settle(p);

    const store2 = createAppStore();
    const p2 = await startPersistence(store2, storage);
    store2.getState().editReport('Keep me, edited before the image was back');
    open(store2, image(3));
    await settle(p2);
    expect(store2.getState().report).toBe('Keep me, edited before the image was back');
    expect((await storage.load(await studyFingerprint(image(3))))?.report).toBe('Keep me, edited before the image was back');
  });

  it('moves text typed with no image open to the first image opened', async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    store.getState().editReport('typed first');
    await settle(p);
    expect((await storage.load(SCRATCH))?.report).toBe('typed first');
    open(store, image(4));
    await settle(p);
    expect(await storage.load(SCRATCH)).toBeUndefined();
    expect((await storage.load(await studyFingerprint(image(4))))?.report).toBe('typed first');
    expect(store.getState().report).toBe('typed first');
  });

  it('waits for a streaming report to finish before switching to another study', async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    open(store, image(5));
    await p.idle();
    store.getState().startReport('report');
    store.getState().appendReport('Heart size ');
    open(store, image(6));
    store.getState().appendReport('is normal.');
    await settle(p);
    expect(store.getState().report).toBe('Heart size is normal.');
    store.getState().finishStreaming();
    await settle(p);
    expect(store.getState().report).toBe('');
    expect((await storage.load(await studyFingerprint(image(5))))?.report).toBe('Heart size is normal.');
  });

  it('a report started on the new image while its draft loads keeps streaming; the saved draft becomes versions', async () => {
    const storage = newStorage();
    const store = createAppStore();
    let gate: Promise<void> | null = null;
    const p = new DraftPersistence(store, storage, { ...FAST, fingerprint: async (img) => (await gate, studyFingerprint(img)) });
    started.push(p);
    await p.start();
    open(store, image(10));
    await p.idle();
    store.getState().editReport('B old');
    await settle(p);
    open(store, image(11));
    await settle(p);
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    open(store, image(10));
    await new Promise((r) => setTimeout(r, 10));
    store.getState().startReport('report');
    store.getState().appendReport('B new');
    release();
    await settle(p);
    const s = store.getState();
    expect(s.streaming).toBe('report');
    expect(s.report).toBe('B new');
    expect(s.versions.map((v) => v.text)).toContain('B old');
    expect((await storage.load(await studyFingerprint(image(10))))?.report).toBe('B new');
  });

  it('saves at least every maxWaitMs while text keeps streaming in', async () => {
    const inner = newStorage();
    const saves: Draft[] = [];
    const storage: DraftStorage = { ...inner, save: (d) => (saves.push(d), inner.save(d)) };
    const store = createAppStore();
    const p = await startPersistence(store, storage, { debounceMs: 30, maxWaitMs: 60 });
    open(store, image(7));
    await p.idle();
    store.getState().startReport('report');
    for (let i = 0; i < 20; i++) {
      store.getState().appendReport(`t${i} `);
      await new Promise((r) => setTimeout(r, 10));
    }
    // 200 ms of tokens 10 ms apart: a pure 30 ms debounce would not have saved yet.
    expect(saves.length).toBeGreaterThanOrEqual(2);
    await settle(p);
    expect(saves.at(-1)?.report).toBe(store.getState().report);
  });

  it("keeps the reason for the study the reader typed with its study, before any report is written", async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    open(store, image(11), 'a.png');
    await p.idle();
    store.getState().setIndication('Line placement');
    await settle(p);
    // Saved on its own: a study with only its reason typed has a draft.
    expect(await storage.load(await studyFingerprint(image(11)))).toMatchObject({ report: '', indication: 'Line placement' });
    open(store, image(12), 'b.png');
    await p.idle();
    expect(store.getState().indication).toBeNull();
    open(store, image(11), 'a-again.png');
    await p.idle();
    expect(store.getState().indication).toBe('Line placement');
    // Given back to the file, with nothing else written: the draft goes.
    store.getState().setIndication(null);
    await settle(p);
    expect(await storage.load(await studyFingerprint(image(11)))).toBeUndefined();
  });

  it('deletes a draft whose report, versions and chat are all emptied', async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    open(store, image(8));
    await p.idle();
    store.getState().editReport('x');
    await settle(p);
    const key = await studyFingerprint(image(8));
    expect(await storage.load(key)).toBeDefined();
    store.getState().editReport('');
    await settle(p);
    expect(await storage.load(key)).toBeUndefined();
  });

  it('clearAll deletes every draft and empties the screen', async () => {
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    open(store, image(9));
    await p.idle();
    store.getState().editReport('secret');
    await settle(p);
    await p.clearAll();
    expect(store.getState().report).toBe('');
    expect(await storage.load(await studyFingerprint(image(9)))).toBeUndefined();
    expect(await storage.lastKey()).toBeUndefined();
    const store2 = createAppStore();
    await startPersistence(store2, storage);
    expect(store2.getState().report).toBe('');
  });
});

describe('write-ahead journal', () => {
  /** A page that goes away right after the last change: no flush, no debounce timer runs. */
  function crash(p: DraftPersistence) {
    p.stop();
  }
  const SLOW = { debounceMs: 60_000, maxWaitMs: 60_000 };

  it('keeps the signature with its study: signed, another image, back again, and after a reload from the journal', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...FAST, journal });
    const jane = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    open(store, image(1), 'a.dcm');
    await p.idle();
    store.getState().editReport('Report for A');
    store.getState().signReport(jane, 1234);
    expect(journal.read()?.signature).toEqual({ reader: jane, at: 1234, text: 'Report for A' });
    await settle(p);

    open(store, image(2), 'b.dcm');
    await p.idle();
    expect(store.getState().signature).toBeNull();
    store.getState().editReport('Report for B');
    await settle(p);
    open(store, image(1), 'a-again.dcm');
    await p.idle();
    expect(store.getState().signature).toEqual({ reader: jane, at: 1234, text: 'Report for A' });
    store.getState().editReport('Changed while signed');
    expect(store.getState().report).toBe('Report for A');

    // Amending, then a reload: still amending, and the next signature says what it amends.
    store.getState().amendReport();
    store.getState().editReport('Amended report for A');
    crash(p);
    const store2 = createAppStore();
    const p2 = new DraftPersistence(store2, storage, { ...FAST, journal });
    started.push(p2);
    await p2.start();
    expect([store2.getState().report, store2.getState().signature, store2.getState().amending?.at]).toEqual(['Amended report for A', null, 1234]);
    store2.getState().signReport(jane, 2000);
    expect(store2.getState().signature?.amends).toEqual({ reader: jane, at: 1234 });

    // The model's own text is kept with the draft too.
    expect(journal.read()?.modelReport).toBeUndefined(); // typed, never streamed: not known
    store2.getState().amendReport();
    store2.getState().startReport('report');
    store2.getState().appendReport('Model text.');
    store2.getState().editReport('Reader: Model text.');
    store2.getState().finishStreaming();
    expect(journal.read()?.modelReport).toBe('Model text.');
    crash(p2);
    const store3 = createAppStore();
    const p3 = new DraftPersistence(store3, storage, { ...FAST, journal });
    started.push(p3);
    await p3.start();
    expect([store3.getState().report, store3.getState().modelReport]).toEqual(['Reader: Model text.', 'Model text.']);

    // A stored signature counts only for the text it signed.
    const d = journal.read()!;
    expect(asDraft({ ...d, signature: { reader: jane, at: 1, text: d.report } })?.signature).toEqual({ reader: jane, at: 1, text: d.report });
    expect(asDraft({ ...d, signature: { reader: jane, at: 1, text: 'Edited outside the app' } })?.signature).toBeUndefined();
  });

  it('writes every change synchronously; a reload before IndexedDB saved brings it back at once and IndexedDB catches up', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...SLOW, journal });
    for (const ch of 'Small right effusion') store.getState().editReport(store.getState().report + ch);
    store.getState().setChatInput('Is there a pneu');
    expect(journal.writes).toBe('Small right effusion'.length + 1);
    crash(p);
    expect(await storage.lastKey()).toBeUndefined(); // IndexedDB never got it

    const store2 = createAppStore();
    const p2 = new DraftPersistence(store2, storage, { ...SLOW, journal });
    started.push(p2);
    const restored = p2.start();
    // Synchronously, before the first render.
    expect(store2.getState().report).toBe('Small right effusion');
    expect(store2.getState().chatInput).toBe('Is there a pneu');
    expect(store2.getState().draftNotice).not.toBeNull();
    await restored;
    expect(await storage.load(SCRATCH)).toMatchObject({ report: 'Small right effusion', chatInput: 'Is there a pneu' });
  });

  it('the newer wins: an IndexedDB draft saved after the journal entry (another tab) replaces it if untouched', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    let t = 1000;
    const now = () => t;
    journal.write({ schema: 1, key: SCRATCH, savedAt: 1000, label: '', report: 'older, from the journal', reportPreset: null, versions: [], chat: [], chatInput: '' });
    await storage.save({ schema: 1, key: SCRATCH, savedAt: 2000, label: '', report: 'newer, from IndexedDB', reportPreset: null, versions: [], chat: [], chatInput: '' });
    t = 3000;
    const store = createAppStore();
    await startPersistence(store, storage, { ...FAST, journal, now });
    expect(store.getState().report).toBe('newer, from IndexedDB');
    // ... and the journal follows the screen.
    expect(journal.read()?.report).toBe('newer, from IndexedDB');
  });

  it('a journal entry newer than IndexedDB wins, also when the text was emptied', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    await storage.save({ schema: 1, key: SCRATCH, savedAt: 1000, label: '', report: 'deleted later', reportPreset: null, versions: [], chat: [], chatInput: '' });
    journal.write({ schema: 1, key: SCRATCH, savedAt: 2000, label: '', report: '', reportPreset: null, versions: [], chat: [], chatInput: '' });
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...FAST, journal });
    await p.idle();
    expect(store.getState().report).toBe('');
    expect(await storage.load(SCRATCH)).toBeUndefined();
  });

  it('follows study switches, so a reload restores the draft of the image open last', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...SLOW, journal });
    open(store, image(1), 'a.dcm');
    await p.idle();
    store.getState().editReport('Report for A');
    open(store, image(2), 'b.dcm');
    await p.idle();
    store.getState().editReport('Report for B, typed just before the crash');
    crash(p);
    expect(journal.read()).toMatchObject({ key: await studyFingerprint(image(2)), report: 'Report for B, typed just before the crash' });

    const store2 = createAppStore();
    const p2 = await startPersistence(store2, storage, { ...SLOW, journal });
    expect(store2.getState().report).toBe('Report for B, typed just before the crash');
    // Opening B again keeps it; A's draft was saved on the switch and comes back with A.
    open(store2, image(2), 'b.dcm');
    await p2.idle();
    expect(store2.getState().report).toBe('Report for B, typed just before the crash');
    open(store2, image(1), 'a.dcm');
    await p2.idle();
    expect(store2.getState().report).toBe('Report for A');
  });

  it('a streamed answer is journaled token by token and comes back marked as stopped', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...SLOW, journal });
    store.getState().startChat('Effusion?');
    for (const tok of ['No', ' effusion', '.']) store.getState().appendChat(tok);
    crash(p);
    const store2 = createAppStore();
    await startPersistence(store2, storage, { ...SLOW, journal });
    expect(store2.getState().chat).toEqual([
      { role: 'user', text: 'Effusion?' },
      { role: 'assistant', text: 'No effusion.', streaming: false, interrupted: true },
    ]);
    expect(store2.getState().streaming).toBeNull();
  });

  it('a report the page left while the model wrote it comes back as stopped; how a finished one ended is kept too', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...SLOW, journal });
    store.getState().startReport('report');
    for (const tok of ['Heart', ' size', ' is']) store.getState().appendReport(tok);
    crash(p);
    const store2 = createAppStore();
    const p2 = await startPersistence(store2, storage, { ...SLOW, journal });
    expect(store2.getState()).toMatchObject({ report: 'Heart size is', streaming: null, reportEnd: { reason: 'interrupted', added: 0 } });
    // Cut at its limit and saved to IndexedDB: a reload (journal gone) says so too.
    store2.getState().setReportEnd({ reason: 'length', added: 512 });
    await p2.flush();
    p2.stop();
    const store3 = createAppStore();
    await startPersistence(store3, storage, FAST);
    expect(store3.getState()).toMatchObject({ report: 'Heart size is', reportEnd: { reason: 'length', added: 512 } });
  });

  it('a failing journal (quota) leaves IndexedDB saving as before', async () => {
    const storage = newStorage();
    const failing: DraftJournal = { read: () => undefined, write: () => { throw new Error('QuotaExceededError'); }, clear: () => {} };
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...FAST, journal: failing });
    store.getState().editReport('still saved');
    await settle(p);
    expect(p.lastError).toBe('QuotaExceededError');
    expect(await storage.load(SCRATCH)).toMatchObject({ report: 'still saved' });
  });

  it('clearAll empties the journal too', async () => {
    const storage = newStorage();
    const journal = memoryJournal();
    const store = createAppStore();
    const p = await startPersistence(store, storage, { ...FAST, journal });
    store.getState().editReport('to be deleted');
    await p.clearAll();
    expect(journal.read()).toBeUndefined();
  });

  it('localStorageJournal round-trips a draft and ignores what it cannot read', () => {
    const data = new Map<string, string>();
    const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
    const j = localStorageJournal(storage, 'k');
    const d: Draft = { schema: 1, key: SCRATCH, savedAt: 5, label: '', report: 'r', reportPreset: null, versions: [], chat: [], chatInput: 'q', indication: 'Line placement' };
    j.write(d);
    expect(j.read()).toEqual(d);
    data.set('k', '{not json');
    expect(j.read()).toBeUndefined();
    j.clear();
    expect(data.has('k')).toBe(false);
  });
});

describe('clearAllLocalData', () => {
  it("deletes drafts, every image's lengths, the model cache and WebLLM caches and databases, nothing else", async () => {
    const names = ['cxr-llava-models-v1', 'cxr-llava-manifests', 'webllm/model', 'webllm/wasm', 'webllm/config', 'tvmjs-cos-hash-meta', 'workbox-precache-v2-x'];
    const caches = { keys: vi.fn(async () => [...names]), delete: vi.fn(async (n: string) => names.includes(n)) };
    await new Promise<void>((resolve) => {
      const req = indexedDB.open('webllm/model');
      req.onsuccess = () => (req.result.close(), resolve());
    });
    const storage = newStorage();
    const store = createAppStore();
    const p = await startPersistence(store, storage);
    store.getState().editReport('draft');
    await settle(p);
    const lengthsDb = `lengths-${Math.random()}`;
    const lengths = new LengthsStorage(lengthsDb);
    lengths.save('img', [{ a: { x: 0, y: 0 }, b: { x: 5, y: 5 } }]);
    const cleared = await clearAllLocalData(p, { caches, indexedDB }, lengths);
    expect(await new LengthsStorage(lengthsDb).load('img')).toEqual([]);
    expect(cleared.caches).toEqual(names.slice(0, 6));
    expect(caches.delete).not.toHaveBeenCalledWith('workbox-precache-v2-x');
    expect(cleared.databases).toEqual(['webllm/model']);
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain('webllm/model');
    expect(await storage.load(SCRATCH)).toBeUndefined();
  });
});

describe('pure parts', () => {
  it('studyFingerprint: the same pixels give the same key, other pixels or format another', async () => {
    const a = await studyFingerprint(image(1));
    expect(a).toBe(await studyFingerprint(image(1)));
    expect(a).toMatch(/^dicom-8x8-12u-[0-9a-f]{64}$/);
    expect(await studyFingerprint(image(2))).not.toBe(a);
    expect(await studyFingerprint({ ...image(1), format: 'png' })).not.toBe(a);
  });

  it('studyFingerprint works without crypto.subtle (plain http)', async () => {
    vi.stubGlobal('crypto', {});
    try {
      const a = await studyFingerprint(image(1));
      expect(a).toMatch(/^dicom-8x8-12u-fnv[0-9a-f]{16}$/);
      expect(await studyFingerprint(image(2))).not.toBe(a);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('asDraft reads current drafts and rejects anything else', () => {
    const d: Draft = { schema: 1, key: 'k', savedAt: 1, label: '', report: 'r', reportPreset: 'findings', versions: [], chat: [{ role: 'user', text: 'q' }], chatInput: 'Is th', indication: 'Fever' };
    expect(asDraft(d)).toEqual(d);
    // Drafts saved before the chat input or the typed reason for the study were kept read as none.
    const older: Partial<Draft> = { ...d };
    delete older.chatInput;
    delete older.indication;
    expect(asDraft(older)).toEqual({ ...d, chatInput: '', indication: null });
    expect(asDraft({ ...d, indication: 7 })).toEqual({ ...d, indication: null });
    // How the model's report ended, when it is one.
    expect(asDraft({ ...d, reportEnd: { reason: 'length', added: 512 } })?.reportEnd).toEqual({ reason: 'length', added: 512 });
    expect(asDraft({ ...d, reportEnd: { reason: 'crashed', added: 1 } })?.reportEnd).toBeUndefined();
    expect(asDraft({ ...d, schema: 2 })).toBeUndefined();
    expect(asDraft({ ...d, chat: [{ role: 'system', text: 'x' }] })).toBeUndefined();
    expect(asDraft('text')).toBeUndefined();
    expect(asDraft(null)).toBeUndefined();
  });
});
