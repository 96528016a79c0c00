import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultVoiImage } from '../imaging/default-voi';
import { decodeImageFile } from '../imaging/decode-node';
import type { SessionController } from '../session/controller';
import { idbDraftStorage, studyFingerprint, type Draft } from '../session/drafts';
import { createAppStore } from '../state/store';
import type { GrayImage } from '../worker/protocol';
import { isImageFile, Worklist } from './worklist';

const fixture = (name: string) => new File([readFileSync(new URL(`../../e2e/fixtures/imaging/${name}`, import.meta.url))], name);

/**
 * The worklist's scheduling with the real store, real decoding (Node decoders) and real IndexedDB
 * drafts (fake-indexeddb); the model worker is replaced by a recorder of draftInBackground calls,
 * which is the only thing the worklist asks of the controller.
 */
function setup(answers: (string | null)[]) {
  const app = createAppStore();
  const calls: GrayImage[] = [];
  let active = 0;
  let maxActive = 0;
  const controller = {
    async draftInBackground(gray: GrayImage) {
      calls.push(gray);
      maxActive = Math.max(maxActive, ++active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return answers.length ? answers.shift()! : `draft ${calls.length}`;
    },
    async stop() {},
  } as unknown as SessionController;
  const saved: Draft[] = [];
  const storage = idbDraftStorage(`worklist-test-${Math.random()}`);
  const decode = async (bytes: ArrayBuffer, name: string) => {
    const image = await decodeImageFile(new Uint8Array(bytes), name);
    return { image, grey: defaultVoiImage(image) };
  };
  const opened: string[] = [];
  const w = new Worklist(app, controller, {
    drafts: storage,
    decode,
    openFile: async (_app, f) => void opened.push(f.name),
    openInstance: async () => false,
    saveDraft: async (d) => {
      saved.push(d);
      await storage.save(d);
    },
  });
  const loaded = () =>
    app.getState().setLoad({ status: 'loaded', info: { modelId: 'tiny', modelName: 'Tiny', randomWeights: true, backend: 'onnx', visionProvider: 'wasm', visionDtype: 'fp32', loadMs: 1, providers: {} as never, warmupMs: 0 } });
  return { app, w, calls, saved, storage, loaded, opened, decode, maxActive: () => maxActive };
}

const states = (w: Worklist) => w.store.getState().items.map((i) => i.state);

describe('worklist', () => {
  it('drafts every study but the open one, one at a time, once the model is loaded, and stores each as a draft of its pixels', async () => {
    const t = setup([]);
    t.w.addFiles([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png'), fixture('dcm-mono1.dcm')]);
    expect(t.w.store.getState().currentId).toBe(t.w.store.getState().items[0]!.id);
    expect(t.opened).toEqual(['dcm-mono2-explicit.dcm']); // the first opens like a dropped file
    await new Promise((r) => setTimeout(r, 20));
    expect(t.calls).toHaveLength(0); // no model yet
    t.loaded();
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['new', 'draft-ready', 'draft-ready']);
    expect(t.maxActive()).toBe(1);
    expect(t.calls).toHaveLength(2);
    // The model got each image's own pixels, and each draft is stored under that image's fingerprint.
    const png = await decodeImageFile(new Uint8Array(await fixture('gray8.png').arrayBuffer()), 'gray8.png');
    expect(t.calls[0]!.width).toBe(png.width);
    expect(t.saved.map((d) => d.key)).toEqual([await studyFingerprint(png), await studyFingerprint(await decodeImageFile(new Uint8Array(await fixture('dcm-mono1.dcm').arrayBuffer()), 'dcm-mono1.dcm'))]);
    expect((await t.storage.load(t.saved[1]!.key))?.report).toBe('draft 2');
    expect(t.w.store.getState().items[1]!.draft).toBe('draft 1');
  }, 60_000);

  it('puts an interrupted draft back to new and writes it when the user is idle again; reuses a stored draft', async () => {
    const t = setup([null]);
    t.loaded();
    t.w.addFiles([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png')]);
    await expect.poll(() => t.calls.length, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['new', 'new']);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.calls).toHaveLength(1); // not retried until something changes
    t.app.getState().setStage('idle'); // any later store change while idle resumes the queue
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['new', 'draft-ready']);
    expect(t.calls).toHaveLength(2);

    // The same image again, in another list on the same drafts: its stored draft is used as is.
    const again = new Worklist(t.app, { draftInBackground: async () => 'never', stop: async () => {} }, { drafts: t.storage, decode: t.decode, openFile: async () => {}, openInstance: async () => false });
    again.addFiles([fixture('dcm-mono1.dcm'), fixture('gray8.png')]);
    await expect.poll(() => again.store.getState().items[1]?.state, { timeout: 20_000 }).toBe('draft-ready');
    expect(again.store.getState().items[1]!.draft).toBe('draft 2');
  }, 60_000);

  it('skips what a folder holds besides images', () => {
    expect(['a.dcm', 'IM0001', 'DICOMDIR', '.DS_Store', 'notes.txt', 'x.png'].map((n) => isImageFile(new File([], n)))).toEqual([true, true, false, false, false, true]);
  });
});
