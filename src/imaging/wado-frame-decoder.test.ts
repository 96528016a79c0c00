import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeImageBytes } from './decode-core';
import { decodeImageFile } from './decode-node';
import { ImagingError } from './errors';
import type { DecodedFrame, FrameDecoder, FrameRequest } from './frame-decoder';
import { isWadoRuntimeFile, WADO_DECODER_NAME, WADO_SYNTAXES, WADO_VERSION, WADO_WORKER_FILE } from './wado';
import { createWadoFrameDecoder, wadoTimeoutMs } from './wado-frame-decoder';
import { wadoRuntimeFiles } from './vite-wado-files';
import { createWasmDecoders } from './wasm-codecs';
import { loadCodecNode } from './codecs-node';

type Msg = { taskType: string; workerIndex: number; config?: unknown; data?: { imageFrame: Record<string, number | string>; transferSyntax: string; pixelData: ArrayBuffer; options: unknown; decodeConfig: unknown } };
type Behaviour = 'wado' | 'hang' | 'crash' | 'bad-probe' | 'fail';

/**
 * Stands in for wado's worker and answers as webWorker.js/decodeTask.js of 4.13.2 do; `decode`
 * plays the codec. The behaviour of each new worker is taken from `FakeWado.next`.
 */
class FakeWado {
  static made: FakeWado[] = [];
  static next: Behaviour = 'wado';
  static decode: (m: NonNullable<Msg['data']>) => { pixelData: ArrayBuffer; extra?: Record<string, unknown> } = () => {
    throw new Error('no codec');
  };
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  received: Msg[] = [];
  readonly behaviour = FakeWado.next;
  constructor(readonly url: string | URL) {
    FakeWado.made.push(this);
  }
  private reply(data: unknown) {
    setTimeout(() => !this.terminated && this.onmessage?.({ data } as MessageEvent), 0);
  }
  postMessage(m: Msg) {
    this.received.push(m);
    if (m.taskType === 'initialize') return this.reply({ taskType: 'initialize', status: 'success', result: {}, workerIndex: m.workerIndex });
    const d = m.data!;
    if (d.transferSyntax === '1.2.840.10008.1.2.1') {
      // decodeLittleEndian + calculateMinMax
      const px = new Uint16Array(d.pixelData);
      const result = this.behaviour === 'bad-probe' ? { pixelData: Array.from(px) } : { ...d.imageFrame, pixelData: d.pixelData, pixelDataLength: px.length, smallestPixelValue: Math.min(...px), largestPixelValue: Math.max(...px) };
      return this.reply({ taskType: 'decodeTask', status: 'success', result, workerIndex: m.workerIndex });
    }
    if (this.behaviour === 'hang') return;
    if (this.behaviour === 'crash') {
      setTimeout(() => this.onerror?.({ message: 'Uncaught RangeError: Array buffer allocation failed', preventDefault() {} } as ErrorEvent), 0);
      return;
    }
    if (this.behaviour === 'fail') return this.reply({ taskType: 'decodeTask', status: 'failed', result: 'invalid J2K codestream', workerIndex: m.workerIndex });
    try {
      const { pixelData, extra } = FakeWado.decode(d);
      const n = pixelData.byteLength / (Number(d.imageFrame.bitsAllocated) > 8 ? 2 : 1);
      this.reply({ taskType: 'decodeTask', status: 'success', result: { ...d.imageFrame, pixelData, pixelDataLength: n, ...extra }, workerIndex: m.workerIndex });
    } catch (e) {
      this.reply({ taskType: 'decodeTask', status: 'failed', result: (e as Error).message, workerIndex: m.workerIndex });
    }
  }
  terminate() {
    this.terminated = true;
  }
}

const request = (over: Partial<FrameRequest> = {}): FrameRequest => ({
  transferSyntax: '1.2.840.10008.1.2.4.90',
  rows: 2,
  columns: 2,
  samplesPerPixel: 1,
  bitsAllocated: 16,
  bitsStored: 12,
  signed: false,
  planar: false,
  photometric: 'MONOCHROME2',
  ...over,
});

const make = () => createWadoFrameDecoder({ workerUrl: '/vendor/w.js', createWorker: (url) => new FakeWado(url) as unknown as Worker });

describe('createWadoFrameDecoder: the protocol of the pinned worker', () => {
  beforeEach(() => {
    FakeWado.made = [];
    FakeWado.next = 'wado';
  });

  it('initializes the worker, checks it with a 2-pixel frame, then sends decodeTask as the package does', async () => {
    FakeWado.decode = () => ({ pixelData: new Uint16Array([1, 2, 3, 4095]).buffer });
    const wado = make();
    const frame = new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4);
    const out = await wado.decode(frame, request());
    expect(out).toEqual({ columns: 2, rows: 2, components: 1, samples: new Uint16Array([1, 2, 3, 4095]) });
    const [w] = FakeWado.made;
    expect(String(w!.url)).toBe('/vendor/w.js');
    const [init, probe, task] = w!.received;
    expect(init).toMatchObject({ taskType: 'initialize', config: { taskConfiguration: { decodeTask: { initializeCodecsOnStartup: false } } } });
    expect(probe!.data!.transferSyntax).toBe('1.2.840.10008.1.2.1');
    expect(task).toMatchObject({
      taskType: 'decodeTask',
      data: {
        transferSyntax: '1.2.840.10008.1.2.4.90',
        imageFrame: { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0, planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2' },
        options: { preScale: { enabled: false } },
      },
    });
    // Exactly the frame's bytes, in a buffer of their own.
    expect(Array.from(new Uint8Array(task!.data!.pixelData))).toEqual([8, 7, 6]);
    // workerIndex numbers the messages; the worker echoes it.
    expect(new Set(w!.received.map((m) => m.workerIndex)).size).toBe(3);

    // The next frame reuses the checked worker.
    await wado.decode(frame, request());
    expect(FakeWado.made).toHaveLength(1);
    expect(w!.received.filter((m) => m.taskType === 'initialize')).toHaveLength(1);
  });

  it('types the samples by size and sign, and interleaves planar RLE colour', async () => {
    const wado = make();
    FakeWado.decode = () => ({ pixelData: new Int16Array([-5, 7, -2048, 2047]).buffer });
    expect((await wado.decode(new Uint8Array(4), request({ signed: true }))).samples).toEqual(new Int16Array([-5, 7, -2048, 2047]));
    FakeWado.decode = () => ({ pixelData: Uint8Array.of(1, 2, 10, 20, 100, 200).buffer, extra: { samplesPerPixel: 3 } });
    const rle = await wado.decode(new Uint8Array(4), request({ transferSyntax: '1.2.840.10008.1.2.5', columns: 2, rows: 1, samplesPerPixel: 3, bitsAllocated: 8, planar: true }));
    expect(rle).toMatchObject({ components: 3, samples: Uint8Array.of(1, 10, 100, 2, 20, 200) });
    // JPEG 2000 reports the codestream's own size and components.
    FakeWado.decode = () => ({ pixelData: new Uint16Array(6).buffer, extra: { columns: 3, rows: 2, componentsPerPixel: 1 } });
    expect(await wado.decode(new Uint8Array(4), request())).toMatchObject({ columns: 3, rows: 2 });
  });

  it('takes the syntaxes it decodes exactly, and leaves the others to decode-core', () => {
    const wado = make();
    for (const ts of WADO_SYNTAXES) expect(wado.accepts(request({ transferSyntax: ts })), ts).toBe(true);
    for (const ts of ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.203']) {
      expect(wado.accepts(request({ transferSyntax: ts })), ts).toBe(false);
    }
    expect(wado.accepts(request({ transferSyntax: '1.2.840.10008.1.2.5', samplesPerPixel: 3, bitsAllocated: 16 }))).toBe(false);
    expect(wado.name).toBe(`cornerstone-wado-image-loader ${WADO_VERSION}`);
  });

  it('refuses a worker that fails the start-up check, with a message that says so, and tries a fresh one next time', async () => {
    FakeWado.next = 'bad-probe';
    const wado = make();
    await expect(wado.decode(new Uint8Array(4), request())).rejects.toThrow(
      /cornerstone-wado-image-loader 4\.13\.2's decode worker \(\/vendor\/w\.js\) did not pass its start-up check: it answered a 2-pixel test frame with .*pixelData/,
    );
    expect(FakeWado.made[0]!.terminated).toBe(true);
    FakeWado.next = 'wado';
    FakeWado.decode = () => ({ pixelData: new Uint16Array(4).buffer });
    await expect(wado.decode(new Uint8Array(4), request())).resolves.toMatchObject({ rows: 2 });
    expect(FakeWado.made).toHaveLength(2);
  });

  it("passes on the worker's own message for a frame it cannot decode, and replaces that worker", async () => {
    FakeWado.next = 'fail';
    const wado = make();
    await expect(wado.decode(new Uint8Array(4), request())).rejects.toThrow(/^invalid J2K codestream$/);
    expect(FakeWado.made[0]!.terminated).toBe(true);
  });

  it('reports a worker that crashes, and starts a new one for the next frame', async () => {
    FakeWado.next = 'crash';
    const wado = make();
    await expect(wado.decode(new Uint8Array(4), request())).rejects.toThrow(
      "cornerstone-wado-image-loader 4.13.2's decode worker stopped: Uncaught RangeError: Array buffer allocation failed",
    );
    expect(FakeWado.made[0]!.terminated).toBe(true);
    FakeWado.next = 'wado';
    FakeWado.decode = () => ({ pixelData: new Uint16Array(4).buffer });
    await expect(wado.decode(new Uint8Array(4), request())).resolves.toMatchObject({ rows: 2 });
  });

  describe('with a worker that hangs', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('stops it after 15 s (before the app decode worker gives up at 20 s), fails the frames queued behind it, and starts afresh', async () => {
      FakeWado.next = 'hang';
      const wado = make();
      const hung = wado.decode(new Uint8Array(100), request()).catch((e: unknown) => e);
      const queued = wado.decode(new Uint8Array(100), request()).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(14_990);
      expect(FakeWado.made[0]!.terminated).toBe(false);
      await vi.advanceTimersByTimeAsync(20);
      const e1 = (await hung) as Error;
      expect(e1.message).toBe("cornerstone-wado-image-loader 4.13.2's decode worker did not answer within 15 s and was stopped; the file may be damaged");
      expect(FakeWado.made[0]!.terminated).toBe(true);
      // The frame queued behind it gets a fresh worker (which hangs too here).
      expect(FakeWado.made).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(15_000);
      expect(((await queued) as Error).message).toMatch(/did not answer within 15 s/);
      FakeWado.next = 'wado';
      FakeWado.decode = () => ({ pixelData: new Uint16Array(4).buffer });
      const next = wado.decode(new Uint8Array(4), request());
      await vi.advanceTimersByTimeAsync(10);
      await expect(next).resolves.toMatchObject({ rows: 2 });
      expect(wadoTimeoutMs(0)).toBe(15_000);
      expect(wadoTimeoutMs(10 * 2 ** 20)).toBe(35_000);
    });
  });
});

const dir = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(dir + name));

describe('decode-core with an injected FrameDecoder', () => {
  const wasm = createWasmDecoders(loadCodecNode);

  /** A FrameDecoder that answers with what decode-core's own codecs make of the same file. */
  function echo(name: string, seen: FrameRequest[]): FrameDecoder {
    return {
      name: 'test decoder 1.0',
      accepts: (r) => r.transferSyntax !== '1.2.840.10008.1.2.1',
      async decode(_frame, r): Promise<DecodedFrame> {
        seen.push(r);
        const img = await decodeImageFile(read(name), name);
        return { columns: img.width, rows: img.height, components: 1, samples: img.pixels };
      },
    };
  }

  it('uses it for compressed frames, says so in the image and its metadata, and gets the same pixels', async () => {
    const seen: FrameRequest[] = [];
    const img = await decodeImageBytes(read('dcm-j2k.dcm'), 'dcm-j2k.dcm', wasm, echo('dcm-j2k.dcm', seen));
    const own = await decodeImageFile(read('dcm-j2k.dcm'), 'dcm-j2k.dcm');
    expect(img.pixels).toEqual(own.pixels);
    expect(img.decoder).toBe('test decoder 1.0');
    expect(img.meta.find((m) => m.key === 'decoder')).toMatchObject({ label: 'Pixel decoder', value: 'test decoder 1.0', identifying: false });
    expect(seen).toEqual([expect.objectContaining({ transferSyntax: '1.2.840.10008.1.2.4.90', rows: 96, columns: 96, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, signed: false })]);
    expect(own.decoder).toBe('built-in OpenJPEG');
  });

  it('never sends it uncompressed data', async () => {
    const seen: FrameRequest[] = [];
    const decoder = { ...echo('dcm-bigendian.dcm', seen), accepts: () => true };
    const img = await decodeImageBytes(read('dcm-bigendian.dcm'), 'be.dcm', wasm, decoder);
    expect(seen).toEqual([]);
    expect(img.decoder).toBe('dicom-parser (uncompressed)');
  });

  it('names the file and the syntax when it fails, as for the own codecs', async () => {
    const failing: FrameDecoder = { name: 'x', accepts: () => true, decode: () => Promise.reject(new Error('invalid J2K codestream')) };
    const err = await decodeImageBytes(read('dcm-j2k.dcm'), 'scan.dcm', wasm, failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImagingError);
    expect(err).toMatchObject({ code: 'decode-failed', message: 'scan.dcm: the JPEG 2000 (Lossless Only) pixel data could not be decoded (invalid J2K codestream).' });
    const wrongSize: FrameDecoder = { name: 'x', accepts: () => true, decode: async () => ({ columns: 95, rows: 96, components: 1, samples: new Uint16Array(95 * 96) }) };
    await expect(decodeImageBytes(read('dcm-j2k.dcm'), 'scan.dcm', wasm, wrongSize)).rejects.toThrow(/the decoded frame is 95x96, the header says 96x96/);
  });

  it('marks what decoded each kind of file in Node, where there is no FrameDecoder', async () => {
    const by = async (name: string) => (await decodeImageFile(read(name), name)).decoder;
    expect(await by('dcm-jpeg-extended12.dcm')).toBe('built-in 12-bit JPEG (jpeg12.ts)');
    expect(await by('dcm-jpeg-extended8.dcm')).toBe('built-in libjpeg-turbo');
    expect(await by('dcm-rle.dcm')).toBe('built-in RLE (rle.ts)');
    expect(await by('gray8.png')).toBeUndefined();
  });
});

describe('the pinned package', () => {
  it('is the version whose protocol the app speaks, and its worker, chunks and codecs are what gets served', () => {
    const files = wadoRuntimeFiles(fileURLToPath(new URL('../../', import.meta.url)));
    expect([...files.keys()].sort()).toEqual(
      ['5004fdc02f329ce53b69.wasm', '610.min.worker.js', '65916ef3def695744bda.wasm', '75788f12450d4c5ed494.wasm', '888.min.worker.js', 'c22b37c3488e1d6c3aa4.wasm', WADO_WORKER_FILE].sort(),
    );
    expect(isWadoRuntimeFile('cornerstoneWADOImageLoader.min.js')).toBe(false);
    expect(isWadoRuntimeFile('index.worker.min.worker.js.map')).toBe(false);
  });

  it("its worker source is the protocol wado-frame-decoder.ts speaks (read from the dist's source map)", () => {
    const worker = wadoRuntimeFiles(fileURLToPath(new URL('../../', import.meta.url))).get(WADO_WORKER_FILE)!;
    const map = JSON.parse(readFileSync(`${worker}.map`, 'utf8')) as { sources: string[]; sourcesContent: string[] };
    const source = (file: string) => map.sourcesContent[map.sources.findIndex((s) => s.endsWith(file))] ?? '';
    const webWorker = source('/webWorker/webWorker.js');
    expect(webWorker).toContain("if (msg.data.taskType === 'initialize')");
    expect(webWorker).toContain("taskHandlers[key].initialize(config.taskConfiguration)");
    expect(webWorker).toMatch(/taskType: msg\.data\.taskType,\s+status: 'success',\s+result,\s+workerIndex: msg\.data\.workerIndex/);
    expect(webWorker).toMatch(/status: 'failed',\s+result: error\.message,/);
    const task = source('/webWorker/decodeTask.js');
    expect(task).toContain('new Uint8Array(data.data.pixelData)');
    expect(task).toContain('data.data.imageFrame,\n    data.data.transferSyntax,');
    expect(task).toContain('imageFrame.pixelData = imageFrame.pixelData.buffer;');
    expect(task).toContain('config.decodeTask.initializeCodecsOnStartup');
    const frame = source('/shared/decodeImageFrame.js');
    for (const ts of WADO_SYNTAXES) expect(frame).toContain(`case '${ts}':`);
    expect(frame).toContain('if (options.preScale.enabled)');
    expect(frame).not.toContain("case '1.2.840.10008.1.2.4.201':");
    expect(WADO_DECODER_NAME).toBe(`cornerstone-wado-image-loader ${WADO_VERSION}`);
    expect(path.basename(worker)).toBe(WADO_WORKER_FILE);
  });
});
