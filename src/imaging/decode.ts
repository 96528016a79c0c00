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
const pending = new Map<number, { resolve: (r: DecodeResult) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'decode' });
  w.onmessage = (event: MessageEvent<DecodeReply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.kind === 'decoded') p.resolve({ image: reply.image, grey: reply.grey, ms: reply.ms });
    else p.reject(fromErrorData(reply.error));
  };
  w.onerror = (event) => {
    // The worker itself failed (e.g. out of memory): fail what it held and start afresh next time.
    event.preventDefault();
    worker = null;
    w.terminate();
    for (const p of pending.values()) p.reject(new ImagingError('decode-failed', `The decoder stopped: ${event.message || 'worker error'}.`));
    pending.clear();
  };
  worker = w;
  return w;
}

export function decodeInWorker(bytes: ArrayBuffer, name: string): Promise<DecodeResult> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const request: DecodeRequest = { kind: 'decode', id, name, bytes };
    getWorker().postMessage(request, [bytes]);
  });
}

export async function decodeImageFile(bytes: Uint8Array | ArrayBuffer, name: string): Promise<DecodedImage> {
  const buffer = bytes instanceof ArrayBuffer ? bytes : (bytes.slice().buffer as ArrayBuffer);
  return (await decodeInWorker(buffer, name)).image;
}
