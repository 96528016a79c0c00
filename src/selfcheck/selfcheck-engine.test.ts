import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToGray } from '../imaging/decode-node';
import { decodePgm } from '../preprocess/pgm';
import { nodeEngineHost } from '../node/engine-host';
import { InferenceEngine } from '../worker/engine';
import type { GrayImage } from '../worker/protocol';
import { compareRows } from './compare';
import { corruptLargestInitializer } from './corrupt-model';
import { parseSelfCheck } from './reference';

const tinyDir = fileURLToPath(new URL('../../public/models/cxr-llava-tiny/', import.meta.url));
const samplePath = fileURLToPath(new URL('../../public/samples/cxr-sample.jpg', import.meta.url));
const probe = async () => ({ host: 'node' as const, userAgent: 'test', webgpu: { available: false as const, reason: 'test' }, wasmThreads: false, crossOriginIsolated: false, logicalCores: 1, storage: null });

/** A copy of the tiny folder with one file's bytes changed and its hash rewritten in the manifest. */
function corruptedCopy(file: string, corrupt: (b: Buffer) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cxr-selfcheck-'));
  cpSync(tinyDir, dir, { recursive: true });
  const bytes = readFileSync(path.join(dir, file));
  corrupt(bytes);
  writeFileSync(path.join(dir, file), bytes);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const entry = manifest.files.find((f: { path: string }) => f.path === file);
  entry.sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}


describe('model self-check in Node (wasm), tiny model, the sample radiograph decoded by the app', () => {
  let sample: GrayImage;
  const sampleSha = createHash('sha256').update(readFileSync(samplePath)).digest('hex');
  const dirs: string[] = [];
  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    sample = await decodeToGray(new Uint8Array(readFileSync(samplePath)), 'cxr-sample.jpg');
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  async function check(dir: string) {
    const engine = new InferenceEngine({ ...nodeEngineHost(ort), probe });
    await engine.load({ manifestUrl: pathToFileURL(path.join(dir, 'manifest.json')).href }, () => {});
    try {
      return await engine.selfCheck(sample, sampleSha, () => {});
    } finally {
      await engine.dispose();
    }
  }

  it('passes on the bundled model: rows within the fp32 thresholds, all compared tokens equal', async () => {
    const r = (await check(tinyDir))!;
    expect(r.summary).toMatch(/greedy tokens equal the checkpoint reference/);
    expect(r.ok).toBe(true);
    expect(r.decoderReference).toBe('checkpoint');
    expect(r.precision).toBe('fp32');
    // Measured here: what the margins leave to compare, and how close the rows are.
    console.log(`self-check: ${r.summary} pixels ${r.pixels!.meanError.toExponential(2)}/${r.pixels!.stdError.toExponential(2)}; max norm error ${r.rows!.maxNormError.toExponential(2)}; ${r.ms.toFixed(0)} ms`);
    // Compared up to the first step whose reference margin is under the fp32 tolerance.
    const ref = parseSelfCheck(readFileSync(path.join(tinyDir, 'selfcheck.json'), 'utf8')).decoders.checkpoint!;
    const low = ref.margins.findIndex((m) => m < 0.01);
    expect(r.tokens!.compared).toBe(low < 0 ? ref.tokens.length : low);
    expect(r.tokens!.compared).toBeGreaterThan(0);
    expect(r.produced!.tokens.slice(0, r.tokens!.compared)).toEqual(parseSelfCheck(readFileSync(path.join(tinyDir, 'selfcheck.json'), 'utf8')).decoders.checkpoint!.tokens.slice(0, r.tokens!.compared));
  }, 180_000);

  it('keeps the open image and its conversation warm: with checks between turns, the cache is reused as without, and the answers equal the goldens', async () => {
    const goldenDir = fileURLToPath(new URL('../../models/tiny/golden/', import.meta.url));
    const golden = JSON.parse(readFileSync(path.join(goldenDir, 'golden.json'), 'utf8'));
    const conversation = async (checks: boolean) => {
      const engine = new InferenceEngine({ ...nodeEngineHost(ort), probe });
      await engine.load({ manifestUrl: pathToFileURL(path.join(tinyDir, 'manifest.json')).href }, () => {});
      const ask = async (options: { preset: 'report' | 'question'; question?: string }) => {
        if (checks) expect((await engine.selfCheck(sample, sampleSha, () => {}))!.ok).toBe(true);
        let ids: number[] = [];
        let prefill = { promptTokens: 0, reusedTokens: -1 };
        await engine.generate({ ...options, temperature: 0, topP: 1, maxNewTokens: golden.maxNewTokensPerTurn }, (r) => {
          if (r.kind === 'prefill') prefill = { promptTokens: r.promptTokens, reusedTokens: r.reusedTokens };
          if (r.kind === 'complete') ids = r.info.tokenIds;
        });
        return { ids, prefill };
      };
      // As on open: the report prompt is prefilled at once.
      const primed = await engine.encode(decodePgm(readFileSync(path.join(goldenDir, golden.image.pgm))), [], { preset: 'report' });
      const report = await ask({ preset: 'report' });
      const answer = await ask({ preset: 'question', question: golden.chat.followUp });
      await engine.dispose();
      return { primed, report, answer };
    };
    const plain = await conversation(false);
    const checked = await conversation(true);
    expect(checked.report.ids).toEqual(golden.report.greedy);
    expect(checked.answer.ids).toEqual(golden.chat.turn2.greedy);
    // The primed report prompt came back after the check: nothing ran before the first token.
    expect(checked.report.prefill).toEqual({ promptTokens: checked.primed.primeTokens, reusedTokens: checked.primed.primeTokens });
    // The follow-up reused as much (image rows and first turn) as with no check at all.
    expect(checked.answer.prefill).toEqual(plain.answer.prefill);
    expect(plain.answer.prefill.reusedTokens).toBeGreaterThanOrEqual(checked.primed.primeTokens!);
  }, 180_000);

  it('waits for an encode in flight: asked together (an image opened as the model finished loading), both complete, and the report starts from the primed cache', async () => {
    const goldenDir = fileURLToPath(new URL('../../models/tiny/golden/', import.meta.url));
    const golden = JSON.parse(readFileSync(path.join(goldenDir, 'golden.json'), 'utf8'));
    // ORT as the engine sees it, counting session runs in flight across all sessions. Each run
    // also waits a few ms before it returns, as a GPU run waits for its read-back (wasm in Node
    // runs synchronously, so without this nothing could overlap here).
    let inFlight = 0;
    let mostInFlight = 0;
    const create = async (...args: Parameters<typeof ort.InferenceSession.create>) => {
      const session = await ort.InferenceSession.create(...args);
      const run = session.run.bind(session) as (...a: unknown[]) => Promise<ort.InferenceSession.ReturnType>;
      return Object.assign(session, {
        run: async (...a: unknown[]) => {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          try {
            const out = await run(...a);
            await new Promise((resolve) => setTimeout(resolve, 3));
            return out;
          } finally {
            inFlight--;
          }
        },
      });
    };
    const counted = { ...ort, InferenceSession: { ...ort.InferenceSession, create } } as unknown as typeof ort;
    const engine = new InferenceEngine({ ...nodeEngineHost(counted), probe });
    await engine.load({ manifestUrl: pathToFileURL(path.join(tinyDir, 'manifest.json')).href }, () => {});
    mostInFlight = 0;
    const order: string[] = [];
    const primed = engine.encode(decodePgm(readFileSync(path.join(goldenDir, golden.image.pgm))), [], { preset: 'report' }).then((r) => (order.push('encode'), r));
    const checked = engine.selfCheck(sample, sampleSha, () => {}).then((r) => (order.push('check'), r));
    const [p, c] = await Promise.all([primed, checked]);
    expect(order).toEqual(['encode', 'check']);
    expect(mostInFlight).toBe(1);
    expect(c!.ok).toBe(true);
    let ids: number[] = [];
    let prefill = { promptTokens: 0, reusedTokens: -1 };
    await engine.generate({ preset: 'report', temperature: 0, topP: 1, maxNewTokens: golden.maxNewTokensPerTurn }, (r) => {
      if (r.kind === 'prefill') prefill = { promptTokens: r.promptTokens, reusedTokens: r.reusedTokens };
      if (r.kind === 'complete') ids = r.info.tokenIds;
    });
    expect(ids).toEqual(golden.report.greedy);
    expect(prefill).toEqual({ promptTokens: p.primeTokens, reusedTokens: p.primeTokens });
    await engine.dispose();
  }, 180_000);

  it('fails at the decoder stage, naming the token, when one decoder weight block is corrupted', async () => {
    // Its largest weight (lm_head, 32000 x 64), sign-flipped: a valid model computing wrong logits.
    const dir = corruptedCopy('decoder.onnx', (b) => expect(corruptLargestInitializer(b, -1)).toMatch(/lm_head|MatMul|onnx::/));
    dirs.push(dir);
    const r = (await check(dir))!;
    expect(r.ok).toBe(false);
    expect(r.failedStage).toBe('decoder');
    expect(r.summary).toMatch(/differs from the checkpoint reference at token \d+ of 32/);
    expect(r.rows!.ok).toBe(true);
  }, 180_000);

  it('gives way to an interrupt (a report asked for meanwhile) without a verdict', async () => {
    const engine = new InferenceEngine({ ...nodeEngineHost(ort), probe });
    await engine.load({ manifestUrl: pathToFileURL(path.join(tinyDir, 'manifest.json')).href }, () => {});
    const pending = engine.selfCheck(sample, sampleSha, () => {});
    // As a worker message would arrive while it runs: the check takes well under a second on
    // the tiny model, so a fixed delay could miss it; keep asking until it gives way or ends.
    const asking = setInterval(() => engine.interrupt(), 5);
    const r = (await pending)!;
    clearInterval(asking);
    expect(r).toMatchObject({ ok: false, interrupted: true });
    // One interrupt, sent at once: it arrives while the check still fetches its reference, before
    // any model has run, and still stops it.
    const again = engine.selfCheck(sample, sampleSha, () => {});
    engine.interrupt();
    expect(await again).toMatchObject({ ok: false, interrupted: true });
    await engine.dispose();
  }, 60_000);

  it('fails at the sample stage when the sample file is not the one the reference was made from', async () => {
    const engine = new InferenceEngine({ ...nodeEngineHost(ort), probe });
    await engine.load({ manifestUrl: pathToFileURL(path.join(tinyDir, 'manifest.json')).href }, () => {});
    const r = (await engine.selfCheck(sample, '0'.repeat(64), () => {}))!;
    expect(r).toMatchObject({ ok: false, failedStage: 'sample' });
    expect(r.summary).toMatch(/is not the one the reference was computed from/);
    await engine.dispose();
  }, 60_000);

  it('fails at the vision stage when the vision weights are corrupted', async () => {
    const dir = corruptedCopy('vision.onnx', (b) => corruptLargestInitializer(b, 1.5));
    dirs.push(dir);
    const r = (await check(dir))!;
    expect(r.ok).toBe(false);
    expect(r.failedStage).toBe('vision');
    expect(r.summary).toMatch(/image rows differ from the reference/);
  }, 180_000);

  it('vision.fp16.onnx rows meet the fp16 thresholds (and not necessarily the fp32 ones)', async () => {
    const { preprocessGray } = await import('../preprocess/preprocess');
    const ref = parseSelfCheck(readFileSync(path.join(tinyDir, 'selfcheck.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(tinyDir, 'manifest.json'), 'utf8'));
    const session = await ort.InferenceSession.create(readFileSync(path.join(tinyDir, manifest.vision.onnx.fp16)), { executionProviders: ['wasm'] });
    const pixels = preprocessGray(sample, manifest.vision).tensor;
    const out = await session.run({ [manifest.vision.inputName]: new ort.Tensor('float32', pixels, [1, 1, 512, 512]) });
    const data = await out[manifest.vision.outputName]!.getData();
    const rows = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    const fp16 = compareRows(rows, ref.vision.rows, ref.vision.dim, ref.vision, 'fp16');
    const fp32 = compareRows(rows, ref.vision.rows, ref.vision.dim, ref.vision, 'fp32');
    console.log(`vision.fp16.onnx: lowest cosine ${fp16.minCosine.toFixed(6)}, max norm error ${fp16.maxNormError.toExponential(2)} (fp32 thresholds met: ${fp32.ok})`);
    expect(fp16.ok).toBe(true);
    await session.release();
  }, 120_000);
});
