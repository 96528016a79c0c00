import type { SelfCheckResult } from '../selfcheck/run';
import { deserializeError } from './errors';
import type { CompleteInfo, EncodedInfo, GenerateOptions, GrayImage, HistoryTurn, LoadedInfo, LoadOptions, PrimeRequest, Reply, ReplyEnvelope, Request } from './protocol';

type Listener = (reply: Reply) => void;

/**
 * The UI's handle on the inference worker: each request is a promise that settles on the worker's
 * `done` or `error`, with the replies in between (progress, deltas) passed to a listener. Errors
 * arrive rebuilt into their classes.
 */
export class InferenceClient {
  private nextId = 1;
  private pending = new Map<number, { listener: Listener; resolve: () => void; reject: (e: Error) => void }>();

  /** Called when the worker reports that the GPU device is gone. */
  onDeviceLost: (message: string) => void = () => {};

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<ReplyEnvelope>) => {
      const { id, reply } = event.data;
      if (id === 0 && reply.kind === 'device-lost') {
        this.onDeviceLost(reply.message);
        return;
      }
      const p = this.pending.get(id);
      if (!p) return;
      if (reply.kind === 'done') {
        this.pending.delete(id);
        p.resolve();
      } else if (reply.kind === 'error') {
        this.pending.delete(id);
        p.reject(deserializeError(reply.error));
      } else {
        p.listener(reply);
      }
    };
    worker.onerror = (event) => {
      const err = new Error(`The inference worker crashed: ${event.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  static create(): InferenceClient {
    return new InferenceClient(new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' }));
  }

  private send(request: Request, listener: Listener = () => {}): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { listener, resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }

  async load(options: LoadOptions, onProgress: Listener = () => {}): Promise<LoadedInfo> {
    let info: LoadedInfo | undefined;
    await this.send({ kind: 'load', options }, (r) => (r.kind === 'ready' ? (info = r.info) : onProgress(r)));
    return info!;
  }

  async encode(image: GrayImage, history: HistoryTurn[] = [], prime?: PrimeRequest): Promise<EncodedInfo> {
    let info: EncodedInfo | undefined;
    // A copy is sent: the study keeps its own pixels for the viewer.
    await this.send({ kind: 'encode', image: { ...image, data: image.data.slice() }, history, prime }, (r) => {
      if (r.kind === 'encoded') info = r.info;
    });
    return info!;
  }

  async generate(options: GenerateOptions, onEvent: Listener): Promise<CompleteInfo | undefined> {
    let info: CompleteInfo | undefined;
    await this.send({ kind: 'generate', options }, (r) => {
      if (r.kind === 'complete') info = r.info;
      onEvent(r);
    });
    return info;
  }

  /** The model self-check on the decoded sample radiograph (null: the model has no reference). */
  async selfCheck(image: GrayImage, sampleSha256: string, onProgress: Listener = () => {}): Promise<SelfCheckResult | null> {
    let result: SelfCheckResult | null = null;
    await this.send({ kind: 'selfcheck', image: { ...image, data: image.data.slice() }, sampleSha256 }, (r) => (r.kind === 'selfchecked' ? (result = r.result) : onProgress(r)));
    return result;
  }

  interrupt(): Promise<void> {
    return this.send({ kind: 'interrupt' });
  }

  reset(): Promise<void> {
    return this.send({ kind: 'reset' });
  }

  /** Test hook (see protocol.ts). */
  destroyDeviceForTest(): Promise<void> {
    return this.send({ kind: 'debug-destroy-device' });
  }

  /** Stops the worker; requests still waiting are rejected, not left hanging. */
  terminate(): void {
    this.worker.terminate();
    const err = new Error('The inference worker was stopped.');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
