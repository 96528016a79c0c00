import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessGray } from '../src/preprocess/preprocess';
import { openBenchBrowser, serveBenchPage, type BenchBrowser, type BenchServer } from '../src/bench/browser/driver';
import { syntheticRadiograph } from '../src/bench/preprocess-bench';
import { STEADY_RULE } from '../src/generate/warm-up';

const MODEL = 'public/models/cxr-llava-tiny';
const SAMPLE = 'public/samples/cxr-sample.jpg';

/**
 * `npm run bench -- --browser` end to end on the bench page (its own build of
 * src/bench/browser/bench.html): the page's preprocessing gives Node's pixels, and the tiny
 * model's pipeline stages run in the page's worker and come back whole. Times are not asserted.
 */
describe('browser bench page', () => {
  let server: BenchServer;
  let browser: BenchBrowser;
  const image = syntheticRadiograph(900, 700);
  const spec = { imageSize: 512, mean: [0.5518], std: [0.3822], channels: 1 };

  beforeAll(async () => {
    server = await serveBenchPage({
      'synthetic.gray': image.data,
      'image/cxr-sample.jpg': SAMPLE,
      'model/manifest.json': `${MODEL}/manifest.json`,
      'model/vision.onnx': `${MODEL}/vision.onnx`,
      'model/embed.onnx': `${MODEL}/embed.onnx`,
      'model/decoder.onnx': `${MODEL}/decoder.onnx`,
      'model/tokenizer.json': `${MODEL}/tokenizer.json`,
    });
    browser = await openBenchBrowser(server.pageUrl, { log: false });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reports the browser, and preprocesses to the same crop as Node', async () => {
    const { env } = await browser.run({ kind: 'info' }, 60_000);
    expect(env.crossOriginIsolated).toBe(true);
    expect(browser.description.version).toMatch(/^\d+\./);
    const pre = await browser.run({ kind: 'preprocess', url: server.fileUrl('synthetic.gray'), width: 900, height: 700, spec, runs: 2, warmup: 0 }, 60_000);
    expect(pre.runsMs).toHaveLength(2);
    expect(Buffer.from(pre.cropBase64, 'base64').equals(Buffer.from(preprocessGray(image, spec).resized.data))).toBe(true);
  });

  it('times every stage of the tiny model on wasm', async () => {
    const r = await browser.run(
      {
        kind: 'pipeline',
        manifestUrl: server.fileUrl('model/manifest.json'),
        imageUrl: server.fileUrl('image/cxr-sample.jpg'),
        ep: 'wasm',
        options: { runs: 1, warmup: 0, newTokens: 4, temperature: 0 },
      },
      360_000,
    );
    expect(r).toMatchObject({ model: 'cxr-llava-tiny', executionProvider: 'wasm', runs: 1, promptTokens: 1121 });
    expect(r.newTokens).toBeGreaterThan(0);
    expect(r.newTokens).toBeLessThanOrEqual(4);
    for (const v of [...Object.values(r.medianMs), r.coldStart.sessionCreateMs, r.coldStart.firstEncodeMs]) expect(Number.isFinite(v)).toBe(true);
    // Drop -> first token: the first image after load and later ones, part by part.
    const d = r.dropToFirstToken;
    expect(d.images).toBe(3);
    for (const p of [d.firstImage, d.laterImages]) {
      for (const v of Object.values(p)) expect(v).toBeGreaterThanOrEqual(0);
      expect(p.total).toBeCloseTo(p.decode + p.preprocess + p.encode + p.prefill + p.firstToken, 0);
    }
    expect(d.warmupMs).toBeGreaterThan(0);
    expect(d.firstOverLater).toBeCloseTo(d.firstImage.total / d.laterImages.total, 5);
    // The warm-up is repeated until steady (generate/warm-up.ts): its rounds add up to it.
    expect(d.warmupRoundsMs.length).toBeGreaterThanOrEqual(1);
    expect(d.warmupRoundsMs.length).toBeLessThanOrEqual(STEADY_RULE.maxRounds);
    expect(d.warmupRoundsMs.reduce((a, b) => a + b, 0)).toBeCloseTo(d.warmupMs, 5);
    expect(d.eachImage).toHaveLength(3);
    expect(d.eachImage[0]).toEqual(d.firstImage);
  }, 400_000);

  it('runs drop -> first token alone, with one warm-up round when asked (the cold-start series)', async () => {
    const d = await browser.run(
      { kind: 'drop', manifestUrl: server.fileUrl('model/manifest.json'), imageUrl: server.fileUrl('image/cxr-sample.jpg'), ep: 'wasm', images: 2, temperature: 0, maxWarmUpRounds: 1 },
      360_000,
    );
    expect(d.warmupRoundsMs).toHaveLength(1);
    expect(d.warmupRoundsMs[0]).toBeCloseTo(d.warmupMs, 5);
    expect(d.eachImage).toHaveLength(2);
    for (const p of d.eachImage) expect(p.total).toBeGreaterThan(0);
    expect(d.firstOverLater).toBeCloseTo(d.eachImage[0]!.total / d.eachImage[1]!.total, 5);
  }, 400_000);
});
