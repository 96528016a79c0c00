import 'fake-indexeddb/auto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultVoiImage } from '../imaging/default-voi';
import { decodeImageFile } from '../imaging/decode-node';
import type { SessionController } from '../session/controller';
import { idbDraftStorage, type Draft } from '../session/drafts';
import { studyFingerprint } from '../session/study-fingerprint';
import { createAppStore, type AppStore } from '../state/store';
import type { GrayImage } from '../worker/protocol';
import { hospitalStoreFor } from '../hospital/hospital-store';
import { measuredKey, srBlocker } from '../hospital/send-report';
import { srSourceOfFile } from '../sr/source';
import { groupByStudy, type Given } from '../imaging/group-studies';
import { Worklist } from './worklist';
import { readingOrder } from './worklist-store';

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
  const decoded: string[] = [];
  const decode = async (bytes: ArrayBuffer, name: string) => {
    decoded.push(name);
    const image = await decodeImageFile(new Uint8Array(bytes), name);
    return { image, grey: defaultVoiImage(image) };
  };
  const opened: string[] = [];
  const openedAs: Given[] = [];
  const w = new Worklist(app, controller, {
    drafts: storage,
    decode,
    openFiles: async (_app, files, given) => {
      opened.push(files.map((f) => f.name).join(' + '));
      openedAs.push(given);
    },
    openInstance: async () => false,
    saveDraft: async (d) => {
      saved.push(d);
      await storage.save(d);
    },
  });
  const loaded = () =>
    app.getState().setLoad({ status: 'loaded', info: { modelId: 'tiny', modelName: 'Tiny', randomWeights: true, backend: 'onnx', visionProvider: 'wasm', visionDtype: 'fp32', loadMs: 1, providers: {} as never, warmupMs: 0 } });
  return { app, w, calls, saved, storage, loaded, opened, openedAs, decode, decoded, maxActive: () => maxActive };
}

const states = (w: Worklist) => w.store.getState().items.map((i) => i.state);

const nodeDecode = async (bytes: ArrayBuffer, name: string) => {
  const image = await decodeImageFile(new Uint8Array(bytes), name);
  return { image, grey: defaultVoiImage(image) };
};

/** Opens a file as src/ui/viewer/open-file.ts does: header first, then the decoded study. */
async function openAsTheViewer(a: AppStore, files: File[]): Promise<void> {
  const f = files[0]!;
  const bytes = await f.arrayBuffer();
  const sr = srSourceOfFile(bytes);
  const { image, grey } = await nodeDecode(bytes, f.name);
  const token = a.getState().startIntake(f.name);
  a.getState().finishIntake(token, { fileName: f.name, image, modelInput: grey, decodeMs: 0 });
  hospitalStoreFor(a).getState().markOpened(a.getState().study!.key, { origin: 'file', ...sr });
}

/** A worklist whose open study is the reader's to write (no background drafts). */
function readerWorklist(app: AppStore): Worklist {
  return new Worklist(app, { draftInBackground: async () => null, stop: async () => {} }, { drafts: idbDraftStorage(`worklist-reader-${Math.random()}`), decode: nodeDecode, openFiles: openAsTheViewer, openInstance: async () => false });
}

describe('worklist', () => {
  it('drafts every study but the open one, one at a time, once the model is loaded, and stores each as a draft of its pixels', async () => {
    const t = setup([]);
    await t.w.addFiles([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png'), fixture('dcm-mono1.dcm')]);
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

  it('flags a row whose report names a critical finding with no communication documented: a background draft, a stored one, and the open report as the reader edits it', async () => {
    const t = setup(['Findings: Small right apical pneumothorax.', 'No pneumothorax.']);
    await t.w.addFiles([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png'), fixture('dcm-mono1.dcm')]);
    t.loaded();
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['new', 'draft-ready', 'draft-ready']);
    const critical = (w: Worklist) => w.store.getState().items.map((i) => i.critical?.names ?? null);
    expect(critical(t.w)).toEqual([null, 'pneumothorax', null]);

    // Stored, it is flagged in a list made later too.
    const again = new Worklist(t.app, { draftInBackground: async () => 'never', stop: async () => {} }, { drafts: t.storage, decode: t.decode, openFiles: async () => {}, openInstance: async () => false });
    await again.addFiles([fixture('dcm-mono1.dcm'), fixture('gray8.png')]);
    await expect.poll(() => critical(again), { timeout: 20_000 }).toEqual([null, 'pneumothorax']);

    // The open report, as the reader writes it: flagged, then cleared once the communication is in it.
    const [first] = t.w.store.getState().items;
    const image = await decodeImageFile(new Uint8Array(await fixture('dcm-mono2-explicit.dcm').arrayBuffer()), 'dcm-mono2-explicit.dcm');
    const token = t.app.getState().startIntake('dcm-mono2-explicit.dcm');
    t.app.getState().finishIntake(token, { fileName: 'dcm-mono2-explicit.dcm', image, modelInput: defaultVoiImage(image), decodeMs: 0 });
    t.w.store.getState().update(first!.id, { studyKey: t.app.getState().study!.key });
    t.app.getState().editReport('Free air under the diaphragm.');
    expect(critical(t.w)[0]).toBe('pneumoperitoneum');
    t.app.getState().editReport('Free air under the diaphragm. Discussed with Dr Lee at 10:15.');
    expect(critical(t.w)[0]).toBeNull();
  }, 60_000);

  it('reads the studies flagged critical first when asked, the most urgent first, and Next and Previous follow that order', async () => {
    const t = setup(['Findings: Small right pneumothorax.', 'Free air under the diaphragm.', 'Normal chest.']);
    await t.w.addFiles([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png'), fixture('dcm-mono1.dcm'), fixture('gray.jpg')]);
    t.loaded();
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['new', 'draft-ready', 'draft-ready', 'draft-ready']);
    const s = () => t.w.store.getState();
    const ids = s().items.map((i) => i.id);
    const names = () => readingOrder({ items: s().items, criticalFirst: t.app.getState().settings.criticalFirst }).map((i) => ids.indexOf(i.id));
    expect(s().items.map((i) => i.critical ?? null)).toEqual([null, { names: 'pneumothorax', urgency: 'urgent' }, { names: 'pneumoperitoneum', urgency: 'immediate' }, null]);
    expect(names()).toEqual([0, 1, 2, 3]);
    t.app.getState().updateSettings({ criticalFirst: true });
    expect(names()).toEqual([2, 1, 0, 3]);
    // From the open study (third in this order): Next is the one after it, Previous goes up the list.
    await t.w.step(1);
    await t.w.step(-1);
    await t.w.step(-1);
    await t.w.step(-1);
    await t.w.step(-1); // at the top: stays
    expect(t.opened).toEqual(['dcm-mono2-explicit.dcm', 'gray.jpg', 'dcm-mono2-explicit.dcm', 'gray8.png', 'dcm-mono1.dcm']);
    t.app.getState().updateSettings({ criticalFirst: false });
    expect(names()).toEqual([0, 1, 2, 3]);
  }, 60_000);

  it("shows each file study's reason for the study, from its header, and the open one's as the reader types it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'worklist-indication-'));
    try {
      const path = join(dir, 'ordered.dcm');
      copyFileSync(fileURLToPath(new URL('../../e2e/fixtures/imaging/dcm-mono1.dcm', import.meta.url)), path);
      execFileSync('dcmodify', ['-q', '-nb', '-i', '(0032,1030)=Post line placement', path]);
      const t = setup([]);
      await t.w.addFiles([fixture('dcm-mono2-explicit.dcm'), new File([readFileSync(path)], 'ordered.dcm'), fixture('gray8.png')]);
      expect(t.w.store.getState().items.map((i) => i.indication ?? null)).toEqual([null, 'Post line placement', null]);
      // The open study's row follows the reason the reader types over the report.
      const [first] = t.w.store.getState().items;
      const image = await decodeImageFile(new Uint8Array(await fixture('dcm-mono2-explicit.dcm').arrayBuffer()), 'dcm-mono2-explicit.dcm');
      t.app.getState().finishIntake(t.app.getState().startIntake('dcm-mono2-explicit.dcm'), { fileName: 'dcm-mono2-explicit.dcm', image, modelInput: defaultVoiImage(image), decodeMs: 0 });
      t.w.store.getState().update(first!.id, { studyKey: t.app.getState().study!.key });
      t.app.getState().setIndication('Fever, cough');
      expect(t.w.store.getState().items.map((i) => i.indication ?? null)).toEqual(['Fever, cough', 'Post line placement', null]);
      t.app.getState().setIndication(null);
      expect(t.w.store.getState().items[0]!.indication).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts an interrupted draft back to new and writes it when the user is idle again; reuses a stored draft', async () => {
    const t = setup([null]);
    t.loaded();
    await t.w.addFiles([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png')]);
    await expect.poll(() => t.calls.length, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['new', 'new']);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.calls).toHaveLength(1); // not retried until something changes
    t.app.getState().setStage('idle'); // any later store change while idle resumes the queue
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['new', 'draft-ready']);
    expect(t.calls).toHaveLength(2);

    // The same image again, in another list on the same drafts: its stored draft is used as is.
    const again = new Worklist(t.app, { draftInBackground: async () => 'never', stop: async () => {} }, { drafts: t.storage, decode: t.decode, openFiles: async () => {}, openInstance: async () => false });
    await again.addFiles([fixture('dcm-mono1.dcm'), fixture('gray8.png')]);
    await expect.poll(() => again.store.getState().items[1]?.state, { timeout: 20_000 }).toBe('draft-ready');
    expect(again.store.getState().items[1]!.draft).toBe('draft 2');

    // Signed since (on another day, say): a list made later shows it signed, and drafts nothing.
    const stored = (await t.storage.load(t.saved[0]!.key))!;
    const reader = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    await t.storage.save({ ...stored, signature: { reader, at: 1, text: stored.report } });
    const later = new Worklist(t.app, { draftInBackground: async () => 'never', stop: async () => {} }, { drafts: t.storage, decode: t.decode, openFiles: async () => {}, openInstance: async () => false });
    await later.addFiles([fixture('dcm-mono1.dcm'), fixture('gray8.png')]);
    await expect.poll(() => later.store.getState().items[1]?.state, { timeout: 20_000 }).toBe('signed');
  }, 60_000);

  it('lists studies, not files: a PA and a lateral are one row that opens both and drafts the PA; a report object and a DICOMDIR are left out', async () => {
    const t = setup([]);
    const named = (source: string, name: string) => new File([readFileSync(new URL(`../../e2e/fixtures/imaging/${source}`, import.meta.url))], name);
    await t.w.addFiles([named('dcm-lateral.dcm', 'IM1'), named('dcm-no-pixels.dcm', 'IM2'), named('dcm-mono1.dcm', 'IM3'), named('dcm-mono2-explicit.dcm', 'IM4'), named('dcm-no-pixels.dcm', 'DICOMDIR'), fixture('gray8.png')]);
    const items = t.w.store.getState().items;
    // Labelled as a reader knows a study (patient, accession, date), with its number of images.
    expect(items.map((i) => i.label)).toEqual(['Test Patient 1 · ACC1 · 2024-01-31 · 2 images', 'Test Patient 2 · ACC2 · 2024-01-31', 'gray8.png']);
    expect(t.opened).toEqual(['IM1 + IM4']); // the study's files: the intake opens its frontal view
    t.loaded(); // the others are drafted; moving on from the first has it drafted too
    await t.w.step(1);
    await expect.poll(() => states(t.w), { timeout: 20_000 }).toEqual(['draft-ready', 'draft-ready', 'draft-ready']);
    // The first study was drafted from its PA, not its first file (the lateral).
    expect(t.decoded.sort()).toEqual(['IM3', 'IM4', 'gray8.png']);
  }, 60_000);

  it('opens a dropped folder\'s first study naming the folder and counting from the drop; a row opened later names the folder only', async () => {
    const t = setup([]);
    const { studies } = await groupByStudy([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png')]);
    t.w.addLocalStudies(studies, { openFirst: true, folders: ['CD1'], since: 1234.5 });
    await expect.poll(() => t.openedAs.length).toBe(1);
    expect(t.openedAs[0]).toEqual({ folders: ['CD1'], since: 1234.5 });
    await t.w.step(1);
    expect(t.opened).toEqual(['dcm-mono2-explicit.dcm', 'gray8.png']);
    expect(t.openedAs[1]).toEqual({ folders: ['CD1'], since: undefined });
  });

  it("shows a row as sent once its SR is stored, 'edited since sent' after a change, and a server study sent from the study browser as sent", async () => {
    const app = createAppStore();
    const h = hospitalStoreFor(app);
    const w = readerWorklist(app);
    await w.addFiles([fixture('dcm-mono2-explicit.dcm'), fixture('gray8.png')]);
    await expect.poll(() => app.getState().study?.fileName, { timeout: 20_000 }).toBe('dcm-mono2-explicit.dcm');
    await expect.poll(() => w.store.getState().items[0]!.studyKey).toBe(app.getState().study!.key);
    const key = app.getState().study!.key;

    // A dropped DICOM can be filed (its own header names the study); the text is the user's.
    app.getState().editReport('Findings: none.');
    expect(srBlocker(app.getState(), h)).toBeNull();
    expect(h.getState().opened[key]!.source!.StudyInstanceUID).toBe('1.2.826.0.1.3680043.9.7433.2.1');
    expect(states(w)).toEqual(['draft-ready', 'new']); // text with no draft before it counts as the draft
    const sr = (uid: string) => ({ seriesInstanceUID: `${uid}.1`, sopInstanceUID: uid, sopClassUID: '1.2.840.10008.5.1.4.1.1.88.11' });
    h.getState().markSent(key, { ...sr('2.25.1'), text: 'Findings: none.', measured: measuredKey(app.getState()), signedAt: null });
    expect(states(w)).toEqual(['sent', 'new']); // at once, from the store change
    app.getState().editReport('Findings: none. Addendum: line.');
    expect(states(w)).toEqual(['sent-edited', 'new']);
    app.getState().editReport('Findings: none.'); // back to what was sent
    expect(states(w)).toEqual(['sent', 'new']);
    app.getState().editReport('Findings: none. Addendum: line.');
    h.getState().markSent(key, { ...sr('2.25.2'), text: 'Findings: none. Addendum: line.', measured: measuredKey(app.getState()), signedAt: null }); // sent again
    expect(states(w)).toEqual(['sent', 'new']);
    // A length drawn after sending: the SR on the server lacks it. Taken off again, it is as sent.
    const image = app.getState().study!.image;
    app.getState().setImageLengths(image, [{ a: { x: 10, y: 20 }, b: { x: 60, y: 20 } }]);
    expect(states(w)).toEqual(['sent-edited', 'new']);
    app.getState().setImageLengths(image, []);
    expect(states(w)).toEqual(['sent', 'new']);
    // So does a reason for the study typed after sending (the SR carries it).
    app.getState().setIndication('Fever');
    expect(states(w)).toEqual(['sent-edited', 'new']);
    app.getState().setIndication(null);
    expect(states(w)).toEqual(['sent', 'new']);

    // Signed after sending: the server holds the unsigned draft. Sent signed, the row says so.
    const reader = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    app.getState().signReport(reader, 5000);
    expect(states(w)).toEqual(['sent-edited', 'new']);
    app.getState().amendReport(); // unsigned again: as sent
    expect(states(w)).toEqual(['sent', 'new']);
    app.getState().signReport(reader, 6000); // unchanged: the signature of 5000 comes back
    expect(app.getState().signature?.at).toBe(5000);
    h.getState().markSent(key, { ...sr('2.25.4'), text: 'Findings: none. Addendum: line.', measured: measuredKey(app.getState()), signedAt: 5000 });
    expect(states(w)).toEqual(['signed-sent', 'new']);

    // The PNG opens too, but says why its report cannot be filed in a study.
    await w.step(1);
    await expect.poll(() => app.getState().study?.fileName, { timeout: 20_000 }).toBe('gray8.png');
    // As drafts.ts does when another image opens: its own draft (none yet), unsigned.
    app.getState().loadDraft({ report: '', reportPreset: null, versions: [], chat: [], chatInput: '' });
    app.getState().editReport('Findings: none.');
    expect(srBlocker(app.getState(), h)).toMatch(/^A PNG file has no patient, study or image identifiers/);
    expect(states(w)[0]).toBe('signed-sent'); // the first keeps its state while another is read

    // A server study on the list, opened and sent from the study browser instead: its row says sent.
    w.addStudies([{ studyUID: '1.2.3.4', patientName: 'Doe, Jane', patientId: 'PID-9', accession: 'ACC9', date: '2024-01-31', description: '', modalities: ['DX'], instances: 1 }]);
    expect(states(w)).toEqual(['signed-sent', 'edited', 'new']);
    const source = { ...h.getState().opened[key]!.source!, StudyInstanceUID: '1.2.3.4' };
    h.getState().markOpened('study-99-DX-1.dcm', { origin: 'server', source });
    expect(states(w)[2]).toBe('new');
    h.getState().markSent('study-99-DX-1.dcm', { ...sr('2.25.3'), text: 'Text.', measured: 'null', signedAt: null });
    expect(states(w)[2]).toBe('sent');
  }, 60_000);

  it("a report the model writes while the reader types in it is 'edited' once it ends: the draft is the model's own text", async () => {
    const app = createAppStore();
    const w = readerWorklist(app);
    await w.addFiles([fixture('gray8.png')]);
    await expect.poll(() => app.getState().study?.fileName, { timeout: 20_000 }).toBe('gray8.png');
    await expect.poll(() => w.store.getState().items[0]?.studyKey).toBe(app.getState().study!.key);
    const s = app.getState();
    s.startReport('report');
    s.appendReport('Heart size normal.');
    s.editReport(`Typed first. ${app.getState().report}`);
    s.appendReport(' Lungs clear.');
    expect(states(w)).toEqual(['drafting']);
    s.finishStreaming();
    expect(w.store.getState().items[0]).toMatchObject({ state: 'edited', draft: 'Heart size normal. Lungs clear.' });
  }, 60_000);
});
