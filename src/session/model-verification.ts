import { decodeInWorker } from '../imaging/decode';
import { sha256Hex } from '../model/artifacts';
import type { AppStore } from '../state/store';
import type { InferenceClient } from '../worker/client';
import { ModelLoadError } from '../worker/errors';
import type { GrayImage, LoadedInfo } from '../worker/protocol';
import { SAMPLE_NAME, SAMPLE_URL } from './sample';
import { deviceKey, modelKey, recallCheck, rememberCheck } from './verification-storage';

/** What the self-check needs from the session controller, whose worker it shares. */
export interface VerificationHost {
  store: AppStore;
  /** The current worker client (replaced after a lost device or a cancelled load). */
  client(): InferenceClient;
  /** Bumped by every load and cancel: a check of a superseded load says nothing. */
  loadSeq(): number;
  /** Stops a background worklist draft before the check takes the worker. */
  yieldToForeground(): Promise<void>;
}

/**
 * The model self-check in the app: after a model's first load on a device, and on "Verify
 * model", the sample radiograph runs through the loaded model and every stage is compared with
 * the folder's selfcheck.json. The outcome shows in the model panel and in every export, and is
 * remembered per device and model. The controller makes the user's requests go first.
 */
export class ModelVerification {
  /** The running self-check; reports and answers wait for it (it uses the same worker). */
  private running: Promise<void> | null = null;
  /** A self-check that gave way to an opened image, to run again once an answer is written. */
  rerunAfterNextAnswer = false;

  constructor(private readonly host: VerificationHost) {}

  get inProgress(): Promise<void> | null {
    return this.running;
  }

  private get s() {
    return this.host.store.getState();
  }

  /**
   * After a load: the outcome remembered for this device and model, or a fresh self-check the
   * first time this model runs here.
   */
  async afterLoad(info: LoadedInfo): Promise<void> {
    const seq = this.host.loadSeq();
    const keys = await this.key(info);
    if (seq !== this.host.loadSeq() || !keys) return;
    const stored = recallCheck(keys);
    if (!stored) return this.verify();
    this.s.setVerification(
      stored.result.ok
        ? { status: 'verified', at: stored.at, result: stored.result }
        : { status: 'failed', at: stored.at, stage: stored.result.failedStage ?? 'runtime', summary: stored.result.summary, result: stored.result },
    );
  }

  /** Runs the check unless one is running already (then that one's promise). */
  verify(): Promise<void> {
    if (!this.running) {
      this.gaveWay = false;
      this.running = this.run().finally(() => (this.running = null));
    }
    return this.running;
  }

  /** Set by giveWay: a check still fetching or decoding its sample does not go on to the worker. */
  private gaveWay = false;

  /**
   * The reader's request goes first: a running check is interrupted, and one not yet sent to the
   * worker (still reading its sample) is not sent. Resolves once the check has stopped; the caller
   * runs it again after its answer.
   */
  async giveWay(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.gaveWay = true;
    await this.host.client().interrupt().catch(() => {});
    await running;
  }

  private async key(info: LoadedInfo): Promise<string | null> {
    const { model, caps } = this.s;
    if (model.status !== 'found' || model.manifest.id !== info.modelId) return null;
    return `${await modelKey(model.manifest)}|${deviceKey(info, caps)}`;
  }

  private async run(): Promise<void> {
    const { load, model } = this.s;
    // While an answer streams the decoder is taken; the button is disabled then too.
    if (load.status !== 'loaded' || this.s.streaming) return;
    const seq = this.host.loadSeq();
    const stillCurrent = () => seq === this.host.loadSeq() && this.s.load.status === 'loaded';
    if (model.status === 'found' && model.manifest.id === load.info.modelId && !model.manifest.selfCheck) {
      this.s.setVerification({ status: 'unverified', message: 'This model folder has no selfcheck.json (it was converted before the self-check existed), so it cannot be verified. Convert it again with models/convert.py.' });
      return;
    }
    this.s.setVerification({ status: 'running', message: 'Fetching the sample radiograph' });
    let grey: GrayImage;
    let sha: string;
    try {
      const res = await fetch(SAMPLE_URL);
      if (!res.ok) throw new Error(`${SAMPLE_URL} answered ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      sha = await sha256Hex(bytes);
      this.s.setVerification({ status: 'running', message: 'Decoding the sample radiograph' });
      grey = (await decodeInWorker(bytes.buffer as ArrayBuffer, SAMPLE_NAME)).grey;
    } catch (err) {
      // Not a fault of the model: it stays unverified, and the button tries again.
      if (stillCurrent()) this.s.setVerification({ status: 'unverified', message: `The sample radiograph could not be read (${errorMessage(err)}); try Verify model again.` });
      return;
    }
    if (!stillCurrent()) return;
    this.s.setVerification({ status: 'running', message: 'Running the sample through the model' });
    const at = new Date().toISOString();
    try {
      // A worklist draft of a study not on screen stops (it is written again after the check),
      // since both need the worker's decoder.
      await this.host.yieldToForeground();
      if (!stillCurrent()) return;
      const result = this.gaveWay ? { interrupted: true as const } : await this.host.client().selfCheck(grey, sha);
      if (!stillCurrent()) return;
      if (result?.interrupted) {
        this.s.setVerification({ status: 'unverified', message: 'The self-check gave way to a request and runs again when it is answered.' });
        return;
      }
      if (!result) {
        this.s.setVerification({ status: 'unverified', message: 'This model folder has no selfcheck.json, so it cannot be verified.' });
        return;
      }
      this.s.setVerification(result.ok ? { status: 'verified', at, result } : { status: 'failed', at, stage: result.failedStage ?? 'runtime', summary: result.summary, result });
      const key = await this.key(this.s.load.status === 'loaded' ? this.s.load.info : load.info);
      if (key) rememberCheck(key, { at, result });
    } catch (err) {
      if (!stillCurrent()) return;
      const stage = err instanceof ModelLoadError ? 'reference' : 'runtime';
      this.s.setVerification({ status: 'failed', at, stage, summary: errorMessage(err) });
    }
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
