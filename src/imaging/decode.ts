/**
 * Browser entry of the decoder: the same decode-core as Node, in a worker so that a large or
 * slow file never blocks the page. One worker, started on first use and restarted if it dies.
 */
import type { GrayImage } from '../preprocess/types';
import { fromErrorData, ImagingError } from './errors';
import type { DecodeReply, DecodeRequest } from './protocol';
import type { DecodedImage } from './types';

export interface DecodeResult {
  image: DecodedImage;
  /** The default-VOI 8-bit grey image: what the viewer shows first and the model's input. */
  grey: GrayImage;
  ms: number;
}

let worker: Worker | null = null;
let nextId = 1;
interface Pending {
  name: string;
  resolve: (r: DecodeResult) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}
const pending = new Map<number, Pending>();

/**
 * A decode that takes longer than this is stopped (the worker is terminated and started afresh
 * for the next file): 20 s, plus 2 s per MiB for large files that are merely slow.
 */
export function decodeTimeoutMs(byteLength: number): number {
  return 20_000 + Math.round((byteLength / 2 ** 20) * 2_000);
}

/** Terminates the worker and fails everything it held; the next decode starts a new one. */
function restart(w: Worker, error: (id: number, p: Pending) => ImagingError): void {
  if (worker === w) worker = null;
  w.terminate();
  for (const [id, p] of pending) {
    clearTimeout(p.timer);
    p.reject(error(id, p));
  }
  pending.clear();
}

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'decode' });
  w.onmessage = (event: MessageEvent<DecodeReply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.kind === 'decoded') p.resolve({ image: reply.image, grey: reply.grey, ms: reply.ms });
    else p.reject(fromErrorData(reply.error));
  };
  w.onerror = (event) => {
    // The worker itself failed (e.g. out of memory): fail what it held and start afresh next time.
    event.preventDefault();
    restart(w, () => new ImagingError('decode-failed', `The decoder stopped: ${event.message || 'worker error'}.`));
  };
  worker = w;
  return w;
}

export function decodeInWorker(bytes: ArrayBuffer, name: string): Promise<DecodeResult> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const w = getWorker();
    const limit = decodeTimeoutMs(bytes.byteLength);
    const timer = setTimeout(() => {
      restart(w, (other, p) =>
        other === id
          ? new ImagingError('decode-failed', `${name} took longer than ${Math.round(limit / 1000)} s to decode and was stopped; the file may be damaged.`)
          : new ImagingError('decode-failed', `The decoder was restarted while ${p.name} waited (${name} took too long); open ${p.name} again.`),
      );
    }, limit);
    pending.set(id, { name, resolve, reject, timer });
    const request: DecodeRequest = { kind: 'decode', id, name, bytes };
    w.postMessage(request, [bytes]);
  });
}

export async function decodeImageFile(bytes: Uint8Array | ArrayBuffer, name: string): Promise<DecodedImage> {
  const buffer = bytes instanceof ArrayBuffer ? bytes : (bytes.slice().buffer as ArrayBuffer);
  return (await decodeInWorker(buffer, name)).image;
}
