import { budgetNote } from '../generate/chat-session';
import { deleteCachedModel } from '../model/artifacts';
import type { ModelManifest } from '../model/manifest';
import type { ReportPreset } from '../state/report-slice';
import type { AppStore } from '../state/store';
import type { InferenceClient } from '../worker/client';
import type { GrayImage, HistoryTurn, Reply } from '../worker/protocol';

/** The prompt preset behind each report button ("findings" asks a question of its own). */
export const FINDINGS_QUESTION =
  'For each of these findings, say whether it is present, absent or uncertain: atelectasis, cardiomegaly, consolidation, edema, enlarged cardiomediastinum, fracture, lung lesion, lung opacity, pleural effusion, pleural other, pneumonia, pneumothorax, support devices. Also say if there is no finding.';

/**
 * The app's actions: everything that talks to the inference worker and updates the store.
 * Components call these and read the store; they hold no logic of their own.
 */
export class SessionController {
  private image: { key: string; gray: GrayImage } | null = null;

  private client: InferenceClient;

  constructor(
    private readonly store: AppStore,
    private readonly createClient: () => InferenceClient,
  ) {
    this.client = this.connect();
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
    this.s.setLoad({ status: 'loading', files: {}, message: 'Fetching the model manifest' });
    this.s.setStage('loading');
    // Ask the browser to keep the model files under storage pressure (it may say no; the model
    // then still works, it may just be evicted and downloaded again).
    await navigator.storage?.persist?.().catch(() => false);
    if (seq !== this.loadSeq) return false;
    try {
      const info = await this.client.load(
        { manifestUrl, executionProvider: settings.executionProvider === 'auto' ? undefined : settings.executionProvider },
        (r) => {
          if (r.kind !== 'progress') return;
          const load = this.s.load;
          const files = load.status === 'loading' ? { ...load.files } : {};
          if (r.file) files[r.file.path] = r.file;
          this.s.setLoad({ status: 'loading', files, message: r.message });
        },
      );
      if (seq !== this.loadSeq) return false;
      this.s.setLoad({ status: 'loaded', info });
      this.s.setEncodedKey(null);
      this.s.setStage('idle');
      return true;
    } catch (err) {
      if (seq !== this.loadSeq) return false;
      const message = errorMessage(err);
      this.s.setLoad({ status: 'failed', message });
      this.s.setStage('error', message);
      return false;
    }
  }

  /** The default-VOI 8-bit grey image of the open study (what the model sees). */
  setImage(key: string, gray: GrayImage | null): void {
    this.image = gray ? { key, gray } : null;
    this.s.setHasImage(!!gray);
  }

  private async ensureEncoded(): Promise<void> {
    if (!this.image) throw new Error('Open a chest radiograph first.');
    if (this.s.encodedKey === this.image.key) return;
    this.s.setStage('encoding');
    // What is on screen for this study (a draft restored after a reload) continues as the
    // model's conversation, so a follow-up is asked in its context instead of wiping it.
    const info = await this.client.encode(this.image.gray, this.visibleHistory());
    this.s.mergeMetrics({ preprocessMs: info.preprocessMs, encodeMs: info.encodeMs });
    this.s.setEncodedKey(this.image.key);
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

  async generateReport(preset: ReportPreset = 'report'): Promise<void> {
    if (this.s.streaming) return;
    await this.run('report', async () => {
      await this.ensureEncoded();
      await this.client.reset();
      this.s.resetConversation();
      this.s.startReport(preset);
      const options = preset === 'findings' ? { preset: 'question' as const, question: FINDINGS_QUESTION } : { preset: preset === 'question' ? ('report' as const) : preset };
      return this.client.generate({ ...options, ...this.sampling() }, (r) => this.onReply(r, 'report'));
    });
  }

  async ask(question: string): Promise<void> {
    const q = question.trim();
    if (!q || this.s.streaming) return;
    await this.run('chat', async () => {
      await this.ensureEncoded();
      this.s.startChat(q);
      return this.client.generate({ preset: 'question', question: q, ...this.sampling() }, (r) => this.onReply(r, 'chat'));
    });
  }

  /** Removes one model's files from the app's cache (the next load downloads them again). */
  async deleteCachedModel(manifestUrl: string, manifest: ModelManifest): Promise<number> {
    const removed = await deleteCachedModel(new URL('.', new URL(manifestUrl, location.href)).href, manifest);
    this.s.setLoad(this.s.load.status === 'loaded' ? this.s.load : { status: 'not-loaded' });
    return removed;
  }

  async stop(): Promise<void> {
    await this.client.interrupt();
  }

  async newConversation(): Promise<void> {
    await this.client.reset();
    this.s.resetConversation();
  }

  private sampling() {
    const { temperature, topP, maxNewTokens, seed } = this.s.settings;
    return { temperature, topP, maxNewTokens, seed };
  }

  private async run(target: 'report' | 'chat', body: () => Promise<{ reason: string } | undefined>): Promise<void> {
    try {
      const done = await body();
      this.s.finishStreaming({ interrupted: done?.reason === 'interrupted' });
      this.s.setStage('idle');
    } catch (err) {
      this.s.finishStreaming({ interrupted: true });
      // A lost device has already said what happened (onDeviceLost); keep that message.
      if (this.s.load.status !== 'failed') this.s.setStage('error', `${target === 'report' ? 'Report' : 'Answer'} failed: ${errorMessage(err)}`);
    }
  }

  private onReply(r: Reply, target: 'report' | 'chat'): void {
    if (r.kind === 'prefill') {
      this.s.setStage('prefill');
      this.s.mergeMetrics({ prefillMs: r.prefillMs, promptTokens: r.promptTokens, reusedTokens: r.reusedTokens, budgetNote: budgetNote(r.budget) });
      this.s.setStage('generating');
    } else if (r.kind === 'delta') {
      if (target === 'report') this.s.appendReport(r.text);
      else this.s.appendChat(r.text);
      this.s.mergeMetrics({ tokens: r.tokens, tokensPerSecond: r.tokensPerSecond });
    } else if (r.kind === 'complete') {
      this.s.mergeMetrics({ timeToFirstTokenMs: r.info.timeToFirstTokenMs, tokensPerSecond: r.info.tokensPerSecond, tokens: r.info.tokenIds.length });
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
