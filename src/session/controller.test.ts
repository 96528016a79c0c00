import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CapabilityReport } from '../capabilities/types';
import { nodeEngineHost } from '../node/engine-host';
import { decodePgm } from '../preprocess/pgm';
import { createAppStore } from '../state/store';
import { InferenceClient } from '../worker/client';
import { InferenceEngine } from '../worker/engine';
import type { GrayImage, Reply, RequestEnvelope } from '../worker/protocol';
import { answer } from '../worker/route';
import { SessionController } from './controller';
import { SAMPLE_URL } from './sample';

// The self-check decodes its sample in the decode worker; here the same decoder runs in this thread.
vi.mock('../imaging/decode', async () => {
  const { decodeImageFile } = await import('../imaging/decode-node');
  const { defaultVoiImage } = await import('../imaging/default-voi');
  return {
    decodeInWorker: async (bytes: ArrayBuffer, name: string) => {
      const image = await decodeImageFile(new Uint8Array(bytes), name);
      return { image, grey: defaultVoiImage(image) };
    },
  };
});
const samplePath = fileURLToPath(new URL('../../public/samples/cxr-sample.jpg', import.meta.url));

const manifestUrl = pathToFileURL(fileURLToPath(new URL('../../public/models/cxr-llava-tiny/manifest.json', import.meta.url))).href;
const goldenDir = fileURLToPath(new URL('../../models/tiny/golden/', import.meta.url));
const golden = JSON.parse(readFileSync(`${goldenDir}golden.json`, 'utf8'));
const probe = async (): Promise<CapabilityReport> => ({ host: 'node', userAgent: 'test', webgpu: { available: false, reason: 'test' }, wasmThreads: false, crossOriginIsolated: false, logicalCores: 1, storage: null });

/**
 * The worker's message routing (worker/route.ts) and the tiny model's engine, in this thread:
 * each message and each reply is a macrotask of its own, as postMessage is.
 */
class InProcessWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: string[] = [];
  constructor(private readonly engine: Promise<InferenceEngine>) {}
  postMessage(envelope: RequestEnvelope): void {
    this.sent.push(envelope.request.kind);
    setImmediate(() => void answer(envelope, this.engine, probe, (id: number, reply: Reply) => setImmediate(() => this.onmessage?.({ data: { id, reply } }))));
  }
  terminate(): void {}
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(what: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!what() && Date.now() < deadline) await tick();
  expect(what()).toBe(true);
}

describe('SessionController with the tiny model in this thread', () => {
  const engine = new InferenceEngine({ ...nodeEngineHost(ort), probe });
  let image: GrayImage;
  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    await engine.load({ manifestUrl, warmUp: false }, () => {});
    image = decodePgm(readFileSync(`${goldenDir}${golden.image.pgm}`));
  }, 60_000);

  function setup() {
    const store = createAppStore();
    const worker = new InProcessWorker(Promise.resolve(engine));
    const controller = new SessionController(store, () => new InferenceClient(worker as unknown as Worker));
    const s = store.getState();
    s.setLoad({ status: 'loaded', info: { modelId: 'tiny', modelName: 'Tiny', randomWeights: true, backend: 'onnx', visionProvider: 'wasm', visionDtype: 'fp32', loadMs: 1, providers: {} as never, warmupMs: 0 } });
    // Long answers: one that was not stopped would still be running when the test looks.
    s.updateSettings({ draftOnOpen: false, temperature: 0, maxNewTokens: 200 });
    /** Opens a study as the drafts store would: its (empty) draft is on screen, then the image. */
    const open = (key: string) => {
      store.getState().setDraftFor(key);
      controller.setImage(key, image);
    };
    return { store, worker, controller, open, state: () => store.getState() };
  }

  it('an image opened while the report request is still on its way stops it: the request is never sent', async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    const report = t.controller.generateReport('report');
    // The report has reset the worker's conversation and is about to ask for the answer.
    await until(() => t.worker.sent.includes('reset'));
    t.open('B');
    await report;
    await until(() => t.state().encodedKey === 'B');
    expect(t.worker.sent).not.toContain('generate');
    expect(t.state().report).toBe('');
    expect(t.state().streaming).toBeNull();
    // The next report is B's, and runs as usual.
    await t.controller.generateReport('report');
    expect(t.worker.sent.filter((k) => k === 'generate')).toHaveLength(1);
    expect(t.state().report.length).toBeGreaterThan(0);
  }, 120_000);

  it('Stop before the request reaches the worker leaves the report as the reader left it', async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    t.state().editReport('Typed by the reader.');
    const report = t.controller.generateReport('report');
    await until(() => t.worker.sent.includes('reset'));
    await t.controller.stop();
    await report;
    expect(t.worker.sent).not.toContain('generate');
    expect(t.state().report).toBe('Typed by the reader.');
    expect(t.state().versions).toEqual([]);
    expect(t.state().stage).toBe('idle');
    // The worker's conversation was reset, the screen's was not: the next request encodes again.
    expect(t.state().encodedKey).toBeNull();
  }, 120_000);

  it("the open study's report stops a background draft still on its way: the draft is never asked for (null: the worklist asks again later)", async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    const background = t.controller.draftInBackground(image);
    // The worklist's draft of another study has its image encoded and is about to ask.
    await until(() => t.worker.sent.includes('reset'));
    await t.controller.generateReport('report');
    expect(await background).toBeNull();
    // One answer was written, the open study's, after its image was encoded again.
    expect(t.worker.sent.filter((k) => k === 'generate')).toHaveLength(1);
    expect(t.worker.sent.slice(-3)).toEqual(['encode', 'reset', 'generate']);
    expect(t.state().report.length).toBeGreaterThan(0);
  }, 120_000);

  it('a report asked for while the self-check reads its sample goes first; the check runs once, after it', async () => {
    vi.stubGlobal('fetch', async (url: string) => (url === SAMPLE_URL ? new Response(readFileSync(samplePath)) : new Response(null, { status: 404 })));
    try {
      const t = setup();
      t.open('A');
      await until(() => t.state().encodedKey === 'A');
      void t.controller.verifyModel();
      await t.controller.generateReport('report');
      await until(() => t.state().verification.status === 'verified' || t.state().verification.status === 'failed');
      expect(t.state().verification.status).toBe('verified');
      const sent = t.worker.sent;
      expect(sent.filter((k) => k === 'selfcheck')).toHaveLength(1);
      expect(sent.indexOf('generate')).toBeLessThan(sent.indexOf('selfcheck'));
    } finally {
      vi.unstubAllGlobals();
    }
  }, 120_000);

  it('a question stopped before it is asked goes back into the question field', async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    t.state().setEncodedKey(null); // the question waits for an encode first
    const asked = t.controller.ask('Is there a pneumothorax?');
    await until(() => t.worker.sent.filter((k) => k === 'encode').length === 2);
    await t.controller.stop();
    await asked;
    expect(t.worker.sent).not.toContain('generate');
    expect(t.state().chat).toEqual([]);
    expect(t.state().chatInput).toBe('Is there a pneumothorax?');
  }, 120_000);

  it('Continue finishes a report cut by the length limit as one uncut report: appended, no version kept, the cut said', async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    t.state().updateSettings({ maxNewTokens: 5 });
    await t.controller.generateReport('report');
    expect(t.state().reportEnd).toEqual({ reason: 'length', added: 5 });
    const cut = t.state().report;
    t.state().updateSettings({ maxNewTokens: golden.maxNewTokensPerTurn - 5 });
    await t.controller.continueReport();
    const continued = t.state().report;
    expect(continued.startsWith(cut)).toBe(true);
    expect(continued.length).toBeGreaterThan(cut.length);
    expect(t.state().versions).toEqual([]);
    expect(t.state().modelReport).toBe(continued);
    expect(t.worker.sent.slice(-1)).toEqual(['generate']); // no reset: the same conversation goes on
    // The same text as a report written in one go.
    t.state().updateSettings({ maxNewTokens: golden.maxNewTokensPerTurn });
    await t.controller.generateReport('report');
    expect(t.state().report).toBe(continued);
  }, 120_000);

  it("Continue goes on from the reader's edit, with one space at the join, and not once a follow-up has been asked", async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    t.state().updateSettings({ maxNewTokens: 4 });
    await t.controller.generateReport('report');
    t.state().editReport('Heart size is ');
    await t.controller.continueReport();
    const report = t.state().report;
    expect(report.startsWith('Heart size is ')).toBe(true);
    expect(report.length).toBeGreaterThan('Heart size is '.length);
    expect(report.startsWith('Heart size is  ')).toBe(false);
    await t.controller.ask('Anything else?');
    const sent = t.worker.sent.length;
    await t.controller.continueReport();
    expect(t.worker.sent.length).toBe(sent);
    expect(t.state().report).toBe(report);
  }, 120_000);

  it("Continue finishes a follow-up answer cut at its limit as one uncut answer; the chat says it was cut", async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    t.state().updateSettings({ maxNewTokens: 8 });
    await t.controller.generateReport('report');
    // The same question twice: cut at 3 tokens and continued, then in one go in a new conversation.
    t.state().updateSettings({ maxNewTokens: 3 });
    await t.controller.ask('Is there a pneumothorax?');
    expect(t.state().chat.at(-1)).toMatchObject({ role: 'assistant', atLimit: true });
    const cut = t.state().chat.at(-1)!.text;
    t.state().updateSettings({ maxNewTokens: 9 });
    await t.controller.continueAnswer();
    const continued = t.state().chat.at(-1)!;
    expect(continued.text.startsWith(cut)).toBe(true);
    expect(continued.text.length).toBeGreaterThan(cut.length);
    expect(t.state().chat).toHaveLength(2);
    t.state().updateSettings({ maxNewTokens: 12 });
    const report = t.state().report;
    await t.controller.newConversation();
    t.state().setEncodedKey(null); // the next request starts again from the report on screen
    await t.controller.ask('Is there a pneumothorax?');
    expect(t.state().report).toBe(report);
    expect(t.state().chat.at(-1)!.text).toBe(continued.text);
  }, 120_000);

  it('Rewrite the impression: cut after its heading as the request goes out, kept whole under Earlier versions; a Stop before that leaves it whole', async () => {
    const t = setup();
    t.open('A');
    await until(() => t.state().encodedKey === 'A');
    t.state().updateSettings({ maxNewTokens: 6 });
    const typed = 'Findings: No pneumothorax.\nImpression: Pneumothorax.';
    const kept = 'Findings: No pneumothorax.\nImpression:';
    t.state().editReport(typed);
    // Stopped while it waits for its encode: nothing is cut.
    t.state().setEncodedKey(null);
    const stopped = t.controller.rewriteImpression();
    await until(() => t.worker.sent.filter((k) => k === 'encode').length === 2);
    await t.controller.stop();
    await stopped;
    expect(t.state().report).toBe(typed);
    expect(t.state().versions).toEqual([]);

    await t.controller.rewriteImpression();
    const report = t.state().report;
    expect(report.startsWith(kept)).toBe(true);
    expect(report.length).toBeGreaterThan(kept.length);
    expect(t.state().versions.map((v) => v.text)).toEqual([typed]);
    // The reader typed the report: what the model wrote is only the new impression.
    expect(t.state().modelReport).toBe(report.slice(kept.length));
  }, 120_000);
});
