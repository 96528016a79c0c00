import type { AppStore } from '../state/store';
import type { InferenceClient } from '../worker/client';
import type { GenerateOptions, GrayImage } from '../worker/protocol';

type Sampling = Pick<GenerateOptions, 'temperature' | 'topP' | 'maxNewTokens' | 'seed'>;

/**
 * Reports written for studies that are not open (src/worklist drafts the next ones while the user
 * reads one), one at a time, on the open study's worker. The open study's report, chat and status
 * are not touched; the user's work comes first: `yield` stops a draft wherever it is, and that
 * draft comes back as null (the worklist asks again later).
 */
export class BackgroundDrafts {
  private job: Promise<unknown> | null = null;
  /** Aborted by `yield`: a draft not yet sent to the worker is not sent. */
  private stop: AbortController | null = null;

  constructor(
    private readonly deps: {
      store: AppStore;
      client: () => InferenceClient;
      sampling: () => Sampling;
      /** False while the worker is the user's or the self-check's (or no model is loaded). */
      mayStart: () => boolean;
    },
  ) {}

  /** The report for `gray`, or null when it was not written (the worker was busy, or it gave way). */
  async draft(gray: GrayImage): Promise<string | null> {
    if (this.job || !this.deps.mayStart()) return null;
    const s = this.deps.store.getState();
    const client = this.deps.client();
    let text = '';
    let interrupted = false;
    const stop = new AbortController();
    const job = (async () => {
      // The worker's image changes: the open study is encoded again when next asked.
      s.setEncodedKey(null);
      await client.encode(gray, []);
      await client.reset();
      if (stop.signal.aborted) {
        interrupted = true;
        return;
      }
      const done = await client.generate({ preset: 'report', ...this.deps.sampling() }, (r) => {
        if (r.kind === 'delta') text += r.text;
      });
      interrupted = !done || done.reason === 'interrupted';
    })();
    this.job = job;
    this.stop = stop;
    try {
      await job;
    } finally {
      this.job = null;
      this.stop = null;
      this.deps.store.getState().setEncodedKey(null);
    }
    return interrupted ? null : text;
  }

  /** Stops a draft in progress (it is retried later) before the open study uses the worker. */
  async yield(): Promise<void> {
    const job = this.job;
    if (!job) return;
    this.stop?.abort();
    await this.deps.client().interrupt();
    await job.catch(() => undefined);
  }
}
