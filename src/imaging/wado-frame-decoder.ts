/**
 * A FrameDecoder backed by cornerstone-wado-image-loader's own decode worker
 * (dist/dynamic-import/index.worker.min.worker.js of the pinned version, served as is under
 * /vendor/, see vite-wado-files.ts). The app's decode worker starts it as a nested classic worker
 * and speaks its message protocol directly, as the package's webWorkerManager does:
 *
 *   -> { taskType: 'initialize', workerIndex, config: { taskConfiguration: { decodeTask } } }
 *   <- { taskType: 'initialize', status: 'success', result: {}, workerIndex }
 *   -> { taskType: 'decodeTask', workerIndex, data: { imageFrame, transferSyntax, pixelData, options, decodeConfig } }
 *   <- { taskType: 'decodeTask', status: 'success', result: imageFrame + pixelData (an ArrayBuffer), workerIndex }
 *   <- { taskType: 'decodeTask', status: 'failed', result: the error's message, workerIndex }
 *
 * (webWorker/webWorker.js and webWorker/decodeTask.js in the package's source map.) The worker
 * echoes workerIndex, which serves here as a request number. Each new worker is checked before use:
 * the initialize reply, then a 2-pixel uncompressed frame whose answer is known. A worker that
 * fails that check, crashes, reports a failed decode, or does not answer in time is terminated; the
 * next frame starts a fresh one. Nothing falls back to decode-core's own codecs.
 */
import type { DecodedFrame, FrameDecoder, FrameRequest } from './frame-decoder';
import { planarToInterleaved } from './pixels';
import { WADO_DECODER_NAME, WADO_SYNTAXES } from './wado';

const RLE = '1.2.840.10008.1.2.5';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** The imageFrame fields the worker's decoders read (createImage/getImageFrame.js builds the same). */
interface WadoImageFrame {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  planarConfiguration: 0 | 1;
  photometricInterpretation: string;
}

type WadoMessage =
  | {
      taskType: 'initialize';
      workerIndex: number;
      config: {
        maxWebWorkers: number;
        startWebWorkersOnDemand: boolean;
        webWorkerTaskPaths: string[];
        taskConfiguration: { decodeTask: { initializeCodecsOnStartup: boolean; strict: boolean } };
      };
    }
  | {
      taskType: 'decodeTask';
      workerIndex: number;
      data: {
        imageFrame: WadoImageFrame;
        transferSyntax: string;
        pixelData: ArrayBuffer;
        options: { preScale: { enabled: false } };
        decodeConfig: Record<string, never>;
      };
    };

interface WadoReply {
  taskType?: unknown;
  status?: unknown;
  result?: unknown;
  workerIndex?: unknown;
}

/** A decodeTask result: the imageFrame sent, completed by the decoder. */
interface WadoResult {
  pixelData: ArrayBuffer;
  pixelDataLength: number;
  rows?: number;
  columns?: number;
  componentsPerPixel?: number;
  samplesPerPixel?: number;
  smallestPixelValue?: number;
  largestPixelValue?: number;
}

export interface WadoFrameDecoderOptions {
  /** URL of index.worker.min.worker.js; its chunks and .wasm files lie beside it. */
  workerUrl: string | URL;
  /** How long one frame may take, the worker's start and check included (default wadoTimeoutMs). */
  timeoutMs?: (frameBytes: number) => number;
  /** Tests pass a stand-in; the app uses `new Worker(url)` (classic: the worker uses importScripts). */
  createWorker?: (url: string | URL) => Worker;
}

/**
 * 15 s, plus 2 s per MiB of compressed frame: below the app decode worker's own limit
 * (decode.ts: 20 s + 2 s per MiB of file), so a stuck wado worker is reported as such and the
 * app's decode worker, with the open study's state, carries on.
 */
export function wadoTimeoutMs(frameBytes: number): number {
  return 15_000 + Math.round((frameBytes / 2 ** 20) * 2_000);
}

const WHO = `${WADO_DECODER_NAME}'s decode worker`;

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof ArrayBuffer ? `ArrayBuffer(${v.byteLength})` : v));
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** One running wado worker, with at most one message awaiting its reply. */
class Session {
  private waiting: { index: number; resolve: (r: WadoReply) => void; reject: (e: Error) => void } | null = null;
  stopped: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<WadoReply>) => {
      const waiting = this.waiting;
      if (!waiting) return;
      const reply = event.data;
      if (!reply || typeof reply !== 'object' || reply.workerIndex !== waiting.index) {
        this.stop(new Error(`${WHO} answered out of turn: ${describe(reply)}`));
        return;
      }
      this.waiting = null;
      waiting.resolve(reply);
    };
    worker.onerror = (event: ErrorEvent) => {
      // An uncaught error in the worker (or it could not be loaded): it is not trusted again.
      event.preventDefault();
      this.stop(new Error(`${WHO} stopped: ${event.message || 'it could not be started or crashed'}`));
    };
    worker.onmessageerror = () => this.stop(new Error(`${WHO} sent a reply that could not be read`));
  }

  send(message: WadoMessage, transfer: Transferable[] = []): Promise<WadoReply> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      this.waiting = { index: message.workerIndex, resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }

  /** Terminates the worker and fails the message awaiting a reply, if any. */
  stop(reason: Error): void {
    this.stopped ??= reason;
    this.worker.terminate();
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(reason);
  }
}

function imageFrameOf(r: FrameRequest): WadoImageFrame {
  return {
    rows: r.rows,
    columns: r.columns,
    samplesPerPixel: r.samplesPerPixel,
    bitsAllocated: r.bitsAllocated,
    bitsStored: r.bitsStored,
    pixelRepresentation: r.signed ? 1 : 0,
    planarConfiguration: r.planar ? 1 : 0,
    photometricInterpretation: r.photometric,
  };
}

function decodeTask(workerIndex: number, transferSyntax: string, imageFrame: WadoImageFrame, pixelData: ArrayBuffer): WadoMessage {
  return {
    taskType: 'decodeTask',
    workerIndex,
    data: { imageFrame, transferSyntax, pixelData, options: { preScale: { enabled: false } }, decodeConfig: {} },
  };
}

function resultOf(reply: WadoReply): WadoResult | null {
  const r = reply.result as Partial<WadoResult> | null | undefined;
  if (reply.taskType !== 'decodeTask' || reply.status !== 'success' || !r || typeof r !== 'object') return null;
  if (!(r.pixelData instanceof ArrayBuffer) || !Number.isInteger(r.pixelDataLength) || r.pixelDataLength! < 1) return null;
  return r as WadoResult;
}

/** The samples of a result, typed by their size (1 or 2 bytes) and the header's sign. */
function samplesOf(r: WadoResult, signed: boolean): Uint8Array | Uint16Array | Int16Array {
  const n = r.pixelDataLength;
  const size = r.pixelData.byteLength / n;
  if (size === 1) return new Uint8Array(r.pixelData, 0, n);
  // For signed data the worker has already sign-extended from Bits Stored (decodeImageFrame.js).
  if (size === 2) return signed ? new Int16Array(r.pixelData, 0, n) : new Uint16Array(r.pixelData, 0, n);
  throw new Error(`${WHO} returned ${r.pixelData.byteLength} bytes for ${n} samples`);
}

const INITIALIZE_CONFIG = {
  maxWebWorkers: 1,
  startWebWorkersOnDemand: true,
  webWorkerTaskPaths: [],
  // Codecs load on first use, each in its own chunk/.wasm; strict only adds console warnings.
  taskConfiguration: { decodeTask: { initializeCodecsOnStartup: false, strict: false } },
};

/** The start-up check's frame: 2x1 pixels, 16-bit little endian, values 7 and 4095. */
const PROBE_FRAME: WadoImageFrame = {
  rows: 1,
  columns: 2,
  samplesPerPixel: 1,
  bitsAllocated: 16,
  bitsStored: 12,
  pixelRepresentation: 0,
  planarConfiguration: 0,
  photometricInterpretation: 'MONOCHROME2',
};

export function createWadoFrameDecoder(options: WadoFrameDecoderOptions): FrameDecoder {
  const timeoutMs = options.timeoutMs ?? wadoTimeoutMs;
  const createWorker = options.createWorker ?? ((url) => new Worker(url, { name: 'cornerstone-wado-image-loader' }));
  let session: Session | null = null;
  let nextIndex = 1;
  // One frame at a time: the worker decodes concurrently, but a timeout must blame the right frame.
  let queue: Promise<unknown> = Promise.resolve();

  /** A fresh worker that has answered initialize and the probe frame as 4.13.2 does. */
  async function start(): Promise<Session> {
    const s = new Session(createWorker(options.workerUrl));
    session = s;
    const fail = (what: string) => {
      const err = new Error(`${WHO} (${String(options.workerUrl)}) did not pass its start-up check: ${what}`);
      s.stop(err);
      return err;
    };
    const initIndex = nextIndex++;
    const init = await s.send({ taskType: 'initialize', workerIndex: initIndex, config: INITIALIZE_CONFIG });
    if (init.taskType !== 'initialize' || init.status !== 'success') {
      throw fail(`it answered initialize with ${describe(init)}, not { taskType: 'initialize', status: 'success' }`);
    }
    const probeIndex = nextIndex++;
    const probe = await s.send(decodeTask(probeIndex, EXPLICIT_LE, PROBE_FRAME, new Uint16Array([7, 4095]).buffer));
    const r = resultOf(probe);
    const values = r && r.pixelData.byteLength === 4 ? Array.from(new Uint16Array(r.pixelData)) : null;
    if (!r || r.pixelDataLength !== 2 || values?.join() !== '7,4095' || r.smallestPixelValue !== 7 || r.largestPixelValue !== 4095) {
      throw fail(`it answered a 2-pixel test frame with ${describe(probe)}, not the pixels [7, 4095] with their minimum and maximum`);
    }
    return s;
  }

  async function decodeOne(frame: Uint8Array, request: FrameRequest): Promise<DecodedFrame> {
    const limit = timeoutMs(frame.byteLength);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`${WHO} did not answer within ${Math.round(limit / 1000)} s and was stopped; the file may be damaged`);
        session?.stop(err);
        session = null;
        reject(err);
      }, limit);
    });
    const work = async (): Promise<DecodedFrame> => {
      const s = session && !session.stopped ? session : await start();
      const index = nextIndex++;
      // A copy of exactly the frame's bytes, transferred (the worker reads pixelData from offset 0).
      const reply = await s.send(decodeTask(index, request.transferSyntax, imageFrameOf(request), frame.slice().buffer), []);
      const r = resultOf(reply);
      if (!r) {
        // The worker survives a failed decode, but a codec may be left in a bad state: start afresh.
        const reason =
          reply.status !== 'failed'
            ? `${WHO} answered ${describe(reply)}`
            : typeof reply.result === 'string' && reply.result
              ? reply.result
              : `${WADO_DECODER_NAME} gave no reason`;
        s.stop(new Error(`${WHO} was replaced after a failed decode`));
        if (session === s) session = null;
        throw new Error(reason);
      }
      let samples = samplesOf(r, request.signed);
      const components = r.componentsPerPixel ?? r.samplesPerPixel ?? request.samplesPerPixel;
      // Its RLE decoder writes colour planes one after another when Planar Configuration is 1.
      if (request.transferSyntax === RLE && request.planar && components === 3 && samples instanceof Uint8Array) {
        samples = planarToInterleaved(samples, samples.length / 3);
      }
      return { columns: r.columns ?? request.columns, rows: r.rows ?? request.rows, components, samples };
    };
    try {
      return await Promise.race([work(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    name: WADO_DECODER_NAME,
    accepts(request) {
      if (!WADO_SYNTAXES.has(request.transferSyntax)) return false;
      // Its 16-bit RLE decoder writes every segment into one sample: greyscale only.
      if (request.transferSyntax === RLE && request.bitsAllocated > 8 && request.samplesPerPixel > 1) return false;
      return true;
    },
    decode(frame, request) {
      const run = queue.then(() => decodeOne(frame, request));
      queue = run.catch(() => {});
      return run;
    },
  };
}
