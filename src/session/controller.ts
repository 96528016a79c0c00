import { deleteCachedModel } from '../model/artifacts';
import type { ModelManifest } from '../model/manifest';
import { impressionStart } from '../report/sections';
import { canContinueAnswer, canContinueReport, type ReportPreset } from '../state/report-slice';
import type { AppStore } from '../state/store';
import type { InferenceClient } from '../worker/client';
import { NOT_VERIFIED } from '../state/verification-slice';
import type { GrayImage, HistoryTurn } from '../worker/protocol';
import { answerStream } from './answer-stream';
import { BackgroundDrafts } from './background-draft';
import { whenDraftShown } from './draft-shown';
import { errorMessage, ModelVerification } from './model-verification';

/** The prompt preset behind each report button ("findings" asks a question of its own). */
export const FINDINGS_QUESTION =
  'For each of these findings, say whether it is present, absent or uncertain: atelectasis, cardiomegaly, consolidation, edema, enlarged cardiomediastinum, fracture, lung lesion, lung opacity, pleural effusion, pleural other, pneumonia, pneumothorax, support devices. Also say if there is no finding.';

/**
 * The app's actions: everything that talks to the inference worker and updates the store.
 * Components call these and read the store; they hold no logic of their own.
 */
export class SessionController {
  private image: { key: string; gray: GrayImage; openedAt: number } | null = null;
  /** The generation in progress (a new image waits for it to stop before its encode). */
  private running: Promise<void> | null = null;
  /**
   * Aborted by a Stop or a newly opened image. The worker only stops what it has been asked for,
   * so a stop that comes while the request is still on its way (the encode or reset before it)
   * is kept here, and the request is then not sent.
   */
  private runStop: AbortController | null = null;
  /** Worker encodes, one after another (a new image's may not overlap an older one's). */
  private encodes: Promise<unknown> = Promise.resolve();
  /** The study whose report was started by opening it (its first word is timed from the drop). */
  private autoDraftKey: string | null = null;

  private client: InferenceClient;
  /** The self-check (model-verification.ts); it shares this controller's worker. */
  private readonly verification: ModelVerification;
  /** Drafts for the worklist's other studies; they share this controller's worker too. */
  private readonly background: BackgroundDrafts;

  constructor(
    private readonly store: AppStore,
    private readonly createClient: () => InferenceClient,
  ) {
    this.client = this.connect();
    this.verification = new ModelVerification({
      store,
      client: () => this.client,
      loadSeq: () => this.loadSeq,
      yieldToForeground: () => this.yieldToForeground(),
    });
    this.background = new BackgroundDrafts({
      store,
      client: () => this.client,
      sampling: () => this.sampling(),
      // A running self-check goes first; the worklist asks again when the store next changes.
      mayStart: () => !this.s.streaming && !this.verification.inProgress && this.s.load.status === 'loaded',
    });
  }

  private connect(): InferenceClient {
    const client = this.createClient();
    client.onDeviceLost = (message) => this.onDeviceLost(message);
    return client;
  }

  /**
   * A lost GPU device cannot be used again by that worker's ONNX Runtime: the worker is replaced,
   * and the user loads the model again. The report, its versions and the chat stay where they are.
   */
  private onDeviceLost(message: string): void {
    this.client.terminate();
    this.client = this.connect();
    const text = `${message} Your report and chat are kept; load the model again to continue.`;
    this.s.setEncodedKey(null);
    this.s.finishStreaming({ interrupted: true });
    this.s.setLoad({ status: 'failed', message: text });
    this.s.setStage('error', text);
  }

  /**
   * Stops a load in progress: the worker (and its downloads and shader compilation) is replaced.
   * Files that finished downloading stay cached for the next attempt.
   */
  cancelLoad(): void {
    if (this.s.load.status !== 'loading') return;
    this.loadSeq++;
    this.client.terminate();
    this.client = this.connect();
    this.s.setEncodedKey(null);
    this.s.setLoad({ status: 'failed', message: 'Loading was cancelled. Files that finished downloading are kept.' });
    this.s.setStage('idle');
  }

  /** Test hook: destroys the worker's WebGPU device (see main.tsx, `?test-hooks`). */
  destroyDeviceForTest(): Promise<void> {
    return this.client.destroyDeviceForTest();
  }

  private get s() {
    return this.store.getState();
  }

  /** Bumped by every load and cancel: a superseded load's outcome is ignored. */
  private loadSeq = 0;

  async loadModel(manifestUrl: string): Promise<boolean> {
    const { settings } = this.s;
    const seq = ++this.loadSeq;
    // 'loading' before the first await: until then the panel would still show the previous
    // outcome (e.g. "Loading was cancelled") as if it were this load's.
    this.s.setLoad({ status: 'loading', files: {}, message: 'Fetching the model manifest', lastUpdate: performance.now() });
    this.s.setVerification(NOT_VERIFIED);
    this.s.setStage('loading');
    // Ask the browser to keep the model files under storage pressure (it may say no; the model
    // then still works, it may just be evicted and downloaded again). Not awaited: Firefox answers
    // only when the user answers its permission prompt, and the load must not wait for that.
    void navigator.storage?.persist?.().catch(() => false);
    try {
      const info = await this.client.load(
        { manifestUrl, executionProvider: settings.executionProvider === 'auto' ? undefined : settings.executionProvider },
        (r) => {
          if (r.kind !== 'progress') return;
          const load = this.s.load;
          const files = load.status === 'loading' ? { ...load.files } : {};
          if (r.file) files[r.file.path] = r.file;
          this.s.setLoad({ status: 'loading', files, message: r.message, lastUpdate: performance.now() });
        },
      );
      if (seq !== this.loadSeq) return false;
      this.s.setProviders(info.providers);
      this.s.setLoad({ status: 'loaded', info });
      this.s.setEncodedKey(null);
      this.s.setStage('idle');
      // An image opened while the model loaded (or warmed up) waited for it: its turn now.
      if (this.image) void this.prepare(this.image.key);
      void this.verification.afterLoad(info);
      return true;
    } catch (err) {
      if (seq !== this.loadSeq) return false;
      const message = errorMessage(err);
      // A failed load can leave the worker's runtime unusable (ORT's wasm, after its WebGPU start
      // failed, throws a WebAssembly.Exception at the next call, wasm included): the next attempt
      // gets a fresh worker. Downloaded files stay cached.
      this.client.terminate();
      this.client = this.connect();
      this.s.setEncodedKey(null);
      this.s.setLoad({ status: 'failed', message });
      this.s.setStage('error', message);
      return false;
    }
  }

  /** "Verify model" (the model panel's button): see ModelVerification.verify. */
  verifyModel(): Promise<void> {
    return this.verification.verify();
  }

  /**
   * The default-VOI 8-bit grey image of the open study (what the model sees). Work starts at
   * once: the image is encoded and the report prompt prefilled, and with "Draft the report as
   * soon as an image opens" the report starts too.
   */
  setImage(key: string, gray: GrayImage | null, openedAt: number = performance.now()): void {
    this.image = gray ? { key, gray, openedAt } : null;
    this.s.setHasImage(!!gray);
    if (gray) void this.prepare(key);
  }

  /** Encode + prefill on open, then the draft if the setting asks for it and nothing is lost by it. */
  private async prepare(key: string): Promise<void> {
    if (this.s.load.status !== 'loaded') return; // loadModel calls this again once loaded
    this.s.mergeMetrics({ dropToFirstTokenMs: undefined });
    // The previous image's report stops first; what it wrote stays in that study's draft.
    if (this.running) {
      await this.interruptRun().catch(() => {});
      await this.running;
    }
    if (this.image?.key !== key) return; // another image came meanwhile; it has its own turn
    // The user's image goes before a running self-check: the check shares the worker's decoder
    // and KV cache and would drop the prompt primed below. It runs again after the next answer.
    const check = this.verification.inProgress;
    if (check) {
      await this.verification.giveWay();
      this.verification.rerunAfterNextAnswer = true;
      if (this.image?.key !== key) return;
    }
    try {
      await this.ensureEncoded();
    } catch (err) {
      if (this.image?.key === key && this.s.load.status === 'loaded') this.s.setStage('error', `Could not read the image: ${errorMessage(err)}`);
      return;
    }
    if (this.image?.key !== key || !this.s.settings.draftOnOpen) return;
    // Only a study with nothing on screen gets a draft: a restored report or chat is the user's.
    if (!(await whenDraftShown(this.store, key))) return;
    const s = this.s;
    if (this.image?.key !== key || s.streaming || this.running || s.report.trim() || s.chat.length) return;
    this.autoDraftKey = key;
    await this.generateReport('report');
  }

  /** Encodes the open image once (queued behind any other encode), prefilling the report prompt. */
  private ensureEncoded(): Promise<void> {
    const task = this.encodes.then(() => this.encodeNow());
    this.encodes = task.catch(() => {});
    return task;
  }

  private async encodeNow(): Promise<void> {
    const image = this.image;
    if (!image) throw new Error('Open a chest radiograph first.');
    if (this.s.encodedKey === image.key) return;
    this.s.setStage('encoding');
    // The drafts store first puts this study's saved draft (if any) on screen.
    await whenDraftShown(this.store, image.key);
    if (this.image?.key !== image.key) return; // another image came meanwhile; its encode follows
    // What is on screen for this study (a draft restored after a reload) continues as the
    // model's conversation, so a follow-up is asked in its context instead of wiping it. A new
    // conversation gets the report prompt prefilled now, so Generate starts sampling at once.
    const history = this.s.draftFor === image.key ? this.visibleHistory() : [];
    const info = await this.client.encode(image.gray, history, { preset: 'report' });
    this.s.mergeMetrics({ preprocessMs: info.preprocessMs, encodeMs: info.encodeMs, ...(info.primeMs !== undefined ? { prefillMs: info.primeMs, promptTokens: info.primeTokens } : {}) });
    if (this.image?.key !== image.key) return; // superseded while it ran; the next encode follows
    this.s.setEncodedKey(image.key);
    // Idle only when no generation waits on this encode (it moves the stage on itself).
    if (this.s.stage === 'encoding' && !this.running) this.s.setStage('idle');
  }

  /** The report (as edited) and the finished chat exchanges, as conversation turns. */
  private visibleHistory(): HistoryTurn[] {
    const { report, reportPreset, chat } = this.s;
    if (!report.trim() || !reportPreset || reportPreset === 'question') return [];
    const first: HistoryTurn =
      reportPreset === 'findings' ? { preset: 'question', question: FINDINGS_QUESTION, answer: report } : { preset: reportPreset, answer: report };
    const turns = [first];
    for (let i = 0; i + 1 < chat.length; i += 2) {
      const q = chat[i]!;
      const a = chat[i + 1]!;
      if (q.role !== 'user' || a.role !== 'assistant' || a.streaming) break;
      turns.push({ preset: 'question', question: q.text, answer: a.text });
    }
    return turns;
  }

  /**
   * Writes a report for an image that is not on screen, without touching the open study's report,
   * chat or status (see BackgroundDrafts); a foreground request stops it, and it returns null.
   */
  draftInBackground(gray: GrayImage): Promise<string | null> {
    return this.background.draft(gray);
  }

  /** Stops a background draft (it is retried later) before the open study uses the worker. */
  private yieldToForeground(): Promise<void> {
    return this.background.yield();
  }

  async generateReport(preset: ReportPreset = 'report'): Promise<void> {
    // A signed report is the reader's: it is amended by hand first, never replaced by a new draft.
    if (this.s.streaming || this.running || this.s.signature) return;
    await this.yieldToForeground();
    await this.run('report', async (stopped) => {
      await this.ensureEncoded();
      if (this.s.encodedKey !== this.image?.key || stopped.aborted) return undefined; // a newer image took over, or Stop
      await this.client.reset();
      if (stopped.aborted) {
        // The worker's conversation was reset, the one on screen was not: the next request encodes
        // again and continues from what is on screen.
        this.s.setEncodedKey(null);
        return undefined;
      }
      this.s.resetConversation();
      this.s.startReport(preset);
      const options = preset === 'findings' ? { preset: 'question' as const, question: FINDINGS_QUESTION } : { preset: preset === 'question' ? ('report' as const) : preset };
      // Drop -> first word, for a report that started by itself on open.
      const openedAt = this.image && this.autoDraftKey === this.image.key ? this.image.openedAt : undefined;
      return this.client.generate({ ...options, ...this.sampling() }, answerStream(this.store, 'report', { openedAt }));
    });
  }

  /**
   * Continue: the model goes on writing the report from its end, as the reader left it (edited or
   * not): a report stopped early or cut by the length limit is finished, or a sentence the reader
   * corrected is written on from the correction. Nothing is replaced or kept aside; what it writes
   * is the model's, in the changes from the AI draft too. Not once a follow-up has been asked.
   */
  continueReport(): Promise<void> {
    return this.continueFrom(null);
  }

  /**
   * "Rewrite the impression": the report is cut after its Impression heading (the whole of it kept
   * under Earlier versions) and the model writes the impression again, from the findings as the
   * reader left them. The cut is made only as the request goes out: a Stop before it leaves the
   * report whole.
   */
  rewriteImpression(): Promise<void> {
    if (impressionStart(this.s.report) === null) return Promise.resolve();
    return this.continueFrom(() => impressionStart(this.s.report));
  }

  /** Continue, after cutting the report where `cut` says (the text as it is then), if it says. */
  private async continueFrom(cut: (() => number | null) | null): Promise<void> {
    if (!canContinueReport(this.s) || this.running) return;
    await this.yieldToForeground();
    await this.run('report', async (stopped) => {
      await this.ensureEncoded();
      if (this.s.encodedKey !== this.image?.key || stopped.aborted || !canContinueReport(this.s)) return undefined;
      if (cut) {
        const at = cut();
        if (at === null) return undefined;
        this.s.cutReport(at);
      }
      const { report, reportPreset } = this.s;
      this.s.resumeReport();
      const options = reportPreset === 'findings' ? { preset: 'question' as const, question: FINDINGS_QUESTION } : { preset: !reportPreset || reportPreset === 'question' ? ('report' as const) : reportPreset };
      return this.client.generate({ ...options, resume: report, ...this.sampling() }, answerStream(this.store, 'report'));
    });
  }

  /** Continue for the chat's last answer, stopped or cut at its limit: the model finishes it (see continueReport). */
  async continueAnswer(): Promise<void> {
    if (!canContinueAnswer(this.s) || this.running) return;
    await this.yieldToForeground();
    await this.run('chat', async (stopped) => {
      await this.ensureEncoded();
      if (this.s.encodedKey !== this.image?.key || stopped.aborted || !canContinueAnswer(this.s)) return undefined;
      const partial = this.s.chat.at(-1)!.text;
      const question = this.s.chat.at(-2)?.text ?? '';
      this.s.resumeChat();
      return this.client.generate({ preset: 'question', question, resume: partial, ...this.sampling() }, answerStream(this.store, 'chat'));
    });
  }

  async ask(question: string): Promise<void> {
    const q = question.trim();
    if (!q || this.s.streaming || this.running) return;
    await this.yieldToForeground();
    await this.run('chat', async (stopped) => {
      await this.ensureEncoded();
      if (this.s.encodedKey !== this.image?.key || stopped.aborted) {
        // Not asked: the question goes back into the field, unless something new was typed there.
        if (!this.s.chatInput.trim()) this.s.setChatInput(q);
        return undefined;
      }
      this.s.startChat(q);
      return this.client.generate({ preset: 'question', question: q, ...this.sampling() }, answerStream(this.store, 'chat'));
    });
  }

  /** Removes one model's files from the app's cache (the next load downloads them again). */
  async deleteCachedModel(manifestUrl: string, manifest: ModelManifest): Promise<number> {
    const removed = await deleteCachedModel(new URL('.', new URL(manifestUrl, location.href)).href, manifest);
    this.s.setLoad(this.s.load.status === 'loaded' ? this.s.load : { status: 'not-loaded' });
    return removed;
  }

  async stop(): Promise<void> {
    await this.interruptRun();
  }

  /** Stops the request in progress, whether it has reached the worker yet or not. */
  private interruptRun(): Promise<void> {
    this.runStop?.abort();
    return this.client.interrupt();
  }

  async newConversation(): Promise<void> {
    await this.client.reset();
    this.s.resetConversation();
  }

  private sampling() {
    const { temperature, topP, maxNewTokens, seed } = this.s.settings;
    return { temperature, topP, maxNewTokens, seed };
  }

  private run(target: 'report' | 'chat', body: (stopped: AbortSignal) => Promise<{ reason: string } | undefined>): Promise<void> {
    const stop = new AbortController();
    this.runStop = stop;
    // The last answer's first-token time is not this one's.
    this.s.mergeMetrics({ timeToFirstTokenMs: undefined, tokensPerSecond: undefined });
    // Busy from the click on: the encode it may wait for must not read as idle in between.
    this.s.setStage('prefill');
    const running = (async () => {
      // A running self-check gives way to the user's request (it shares the worker's decoder) and
      // runs again once the answer is written.
      const check = this.verification.inProgress;
      if (check) await this.verification.giveWay();
      try {
        const done = await body(stop.signal);
        if (this.s.streaming) this.s.finishStreaming({ interrupted: done?.reason === 'interrupted', atLimit: done?.reason === 'length' });
        this.s.setStage('idle');
      } catch (err) {
        this.s.finishStreaming({ interrupted: true });
        // A lost device has already said what happened (onDeviceLost); keep that message.
        if (this.s.load.status !== 'failed') this.s.setStage('error', `${target === 'report' ? 'Report' : 'Answer'} failed: ${errorMessage(err)}`);
      } finally {
        this.running = null;
        this.runStop = null;
        this.autoDraftKey = null;
        if ((check || this.verification.rerunAfterNextAnswer) && this.s.load.status === 'loaded') {
          this.verification.rerunAfterNextAnswer = false;
          void this.verification.verify();
        }
      }
    })();
    this.running = running;
    return running;
  }
}
