import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeEngineHost } from '../node/engine-host';
import { STEADY_RULE } from '../generate/warm-up';
import { decodePgm } from '../preprocess/pgm';
import { InferenceEngine } from './engine';
import { ModelLoadError, NoImageError } from './errors';
import type { GenerateOptions, Reply } from './protocol';

const manifestUrl = pathToFileURL(fileURLToPath(new URL('../../public/models/cxr-llava-tiny/manifest.json', import.meta.url))).href;
const goldenDir = fileURLToPath(new URL('../../models/tiny/golden/', import.meta.url));
const golden = JSON.parse(readFileSync(`${goldenDir}golden.json`, 'utf8'));

describe('InferenceEngine in Node (wasm) with the tiny model', () => {
  const engine = new InferenceEngine({ ...nodeEngineHost(ort), probe: async () => ({ host: 'node', userAgent: 'test', webgpu: { available: false, reason: 'test' }, wasmThreads: false, crossOriginIsolated: false, logicalCores: 1, storage: null }) });
  const replies: Reply[] = [];
  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    await engine.load({ manifestUrl }, (r) => replies.push(r));
  }, 60_000);

  /** A greedy report of the encoded image: its token ids, and how many prompt tokens were already cached. */
  async function greedyReport(): Promise<{ ids: number[]; reused: number }> {
    let ids: number[] = [];
    let reused = -1;
    await engine.generate({ preset: 'report', temperature: 0, topP: 1, maxNewTokens: golden.maxNewTokensPerTurn }, (r) => {
      if (r.kind === 'prefill') reused = r.reusedTokens;
      if (r.kind === 'complete') ids = r.info.tokenIds;
    });
    return { ids, reused };
  }

  it('loads with hash-checked downloads and reports what it runs', () => {
    const files = replies.flatMap((r) => (r.kind === 'progress' && r.file && r.file.loaded === r.file.total ? [r.file.path] : []));
    expect(files).toEqual(expect.arrayContaining(['vision.onnx', 'embed.onnx', 'decoder.onnx', 'tokenizer.json']));
  });

  it('refuses to generate before an image is encoded', async () => {
    await expect(engine.generate({ preset: 'report', temperature: 0, topP: 1 }, () => {})).rejects.toBeInstanceOf(NoImageError);
  });

  it('preprocess + encode + greedy report equal the PyTorch golden ids', async () => {
    // The reference's own 512x512 LANCZOS output: resizing it again is the identity, so the
    // tensor equals the golden one and the whole chain can be compared token for token.
    const image = decodePgm(readFileSync(`${goldenDir}${golden.image.pgm}`));
    await engine.encode(image);
    const deltas: string[] = [];
    let ids: number[] = [];
    await engine.generate({ preset: 'report', temperature: 0, topP: 1, maxNewTokens: golden.maxNewTokensPerTurn }, (r) => {
      if (r.kind === 'delta') deltas.push(r.text);
      if (r.kind === 'complete') ids = r.info.tokenIds;
    });
    expect(ids).toEqual(golden.report.greedy);
    expect(deltas.length).toBeGreaterThan(3);
  }, 120_000);

  it('warms every stage at load, and a primed encode gives the golden report with no prefill left to do', async () => {
    const warm = replies.filter((r) => r.kind === 'progress' && r.stage === 'warmup').map((r) => (r as { message: string }).message);
    const round1 = ['Warming up (1/3: preprocessing and vision encoder)', 'Warming up (2/3: prefill of the report prompt)', 'Warming up (3/3: first token and one decode step)'];
    expect(warm.slice(0, 3)).toEqual(round1);
    // The demo model's first round is short, so it is repeated until steady (2 to 4 rounds).
    expect(warm.length % 3).toBe(0);
    expect(warm.length / 3).toBeGreaterThanOrEqual(2);
    expect(warm.length / 3).toBeLessThanOrEqual(STEADY_RULE.maxRounds);
    expect(warm.slice(3, 6)).toEqual(round1.map((m) => m.replace('Warming up (', 'Warming up: settling, round 2 (')));
    const image = decodePgm(readFileSync(`${goldenDir}${golden.image.pgm}`));
    const enc = await engine.encode(image, [], { preset: 'report' });
    expect(enc.primeTokens).toBeGreaterThan(0);
    expect(enc.primeMs).toBeGreaterThan(0);
    const { ids, reused } = await greedyReport();
    expect(ids).toEqual(golden.report.greedy);
    expect(reused).toBe(enc.primeTokens);
  }, 120_000);

  it('an interrupt arriving as a separate event (like a worker message) stops within a token', async () => {
    let reason = '';
    let tokens = 0;
    let at = 0;
    await engine.generate({ preset: 'question', question: 'Anything else?', temperature: 0, topP: 1, maxNewTokens: 200 }, (r) => {
      if (r.kind === 'delta' && !at) {
        at = r.tokens;
        // A macrotask, as a postMessage from the UI is: it only runs if the loop yields.
        setTimeout(() => engine.interrupt(), 0);
      }
      if (r.kind === 'complete') {
        reason = r.info.reason;
        tokens = r.info.tokenIds.length;
      }
    });
    expect(reason).toBe('interrupted');
    expect(tokens).toBeLessThanOrEqual(at + 2);
  }, 120_000);

  it('an interrupt arriving while the generation waits its turn (behind an encode) stops it before its prefill', async () => {
    const image = decodePgm(readFileSync(`${goldenDir}${golden.image.pgm}`));
    // As the worker gets them: encode, then generate, then Stop, each before the last has run.
    const encoded = engine.encode(image, [], { preset: 'report' });
    const replies: Reply[] = [];
    const generated = engine.generate({ preset: 'report', temperature: 0, topP: 1, maxNewTokens: 200 }, (r) => replies.push(r));
    engine.interrupt();
    await encoded;
    await generated;
    expect(replies.map((r) => r.kind)).toEqual(['complete']);
    const done = replies[0] as Extract<Reply, { kind: 'complete' }>;
    expect(done.info.reason).toBe('interrupted');
    expect(done.info.tokenIds).toEqual([]);
    // The primed prompt is untouched: the next report still starts from it, and is the golden one.
    const { ids, reused } = await greedyReport();
    expect(ids).toEqual(golden.report.greedy);
    expect(reused).toBeGreaterThan(0);
  }, 120_000);

  it('Continue: a report cut by its budget, then continued unedited, is the golden report, its text too', async () => {
    const image = decodePgm(readFileSync(`${goldenDir}${golden.image.pgm}`));
    await engine.encode(image, [], { preset: 'report' });
    const cut = 5;
    const run = async (options: Partial<GenerateOptions>) => {
      let text = '';
      let ids: number[] = [];
      let reason = '';
      await engine.generate({ preset: 'report', temperature: 0, topP: 1, ...options }, (r) => {
        if (r.kind === 'delta') text += r.text;
        if (r.kind === 'complete') ({ tokenIds: ids, reason } = r.info);
      });
      return { text, ids, reason };
    };
    const first = await run({ maxNewTokens: cut });
    expect(first).toMatchObject({ reason: 'length', ids: golden.report.greedy.slice(0, cut) });
    const rest = await run({ resume: first.text, maxNewTokens: golden.maxNewTokensPerTurn - cut });
    expect([...first.ids, ...rest.ids]).toEqual(golden.report.greedy);
    // The same text as one uncut report's.
    await engine.encode(image, [], { preset: 'report' });
    expect(first.text + rest.text).toBe((await run({ maxNewTokens: golden.maxNewTokensPerTurn })).text);
  }, 120_000);

  it('continues a restored conversation: the seeded report is context for the next question', async () => {
    const image = decodePgm(readFileSync(`${goldenDir}${golden.image.pgm}`));
    const turn1 = golden.chat.turn2.turn1Answer as string;
    await engine.encode(image, [{ preset: 'report', answer: turn1 }]);
    let ids: number[] = [];
    let promptTokens = 0;
    await engine.generate({ preset: 'question', question: golden.chat.followUp, temperature: 0, topP: 1, maxNewTokens: golden.maxNewTokensPerTurn }, (r) => {
      if (r.kind === 'complete') {
        ids = r.info.tokenIds;
        promptTokens = r.info.promptTokens;
      }
    });
    // Exactly the reference's second turn: same prompt, same greedy answer.
    expect(promptTokens).toBe(golden.chat.turn2.ids.length - 1 + 1024);
    expect(ids).toEqual(golden.chat.turn2.greedy);
  }, 120_000);

  it('a broken manifest URL is a ModelLoadError that names it', async () => {
    const other = new InferenceEngine(nodeEngineHost(ort));
    await expect(other.load({ manifestUrl: 'file:///nonexistent/manifest.json' }, () => {})).rejects.toBeInstanceOf(ModelLoadError);
  });
});
