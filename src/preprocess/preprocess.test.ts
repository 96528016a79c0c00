import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeToTensor } from './crop-normalize';
import { diffStats, pilDecode, pilPreprocess, randomBytes } from './pil-reference.node';
import { preprocessGray, type PreprocessSpec } from './preprocess';
import type { GrayImage } from './types';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The sample radiograph ships in the repo (public/samples/LICENSE.md: CC BY-NC 4.0).
const SAMPLE = path.resolve(repoRoot, 'public/samples/cxr-sample.jpg');
const SPEC: PreprocessSpec = { imageSize: 512, mean: [0.5518], std: [0.3822], channels: 1 };

function noise(width: number, height: number, seed: number): GrayImage {
  return { width, height, data: randomBytes(width * height, seed) };
}

function gradient(width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // A diagonal ramp with a checkerboard inset: smooth areas and hard edges in one image.
      const ramp = Math.round((255 * (x + y)) / (width + height - 2));
      const inset = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
      data[y * width + x] = inset ? (((x >> 2) + (y >> 2)) & 1 ? 255 : 0) : ramp;
    }
  }
  return { width, height, data };
}

function window(img: GrayImage, left: number, top: number, width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(img.data.subarray((top + y) * img.width + left, (top + y) * img.width + left + width), y * width);
  return { width, height, data };
}

const sample = existsSync(SAMPLE) ? pilDecode(SAMPLE) : undefined;

const cases: [string, () => GrayImage][] = [
  ['noise landscape 640x480', () => noise(640, 480, 1)],
  ['noise portrait 480x640', () => noise(480, 640, 2)],
  ['noise square 700x700', () => noise(700, 700, 3)],
  ['noise upscale 300x200', () => noise(300, 200, 4)],
  ['noise upscale 200x300', () => noise(200, 300, 5)],
  ['noise odd 513x777', () => noise(513, 777, 6)],
  ['noise odd 777x513', () => noise(777, 513, 7)],
  ['noise elongated 2000x300', () => noise(2000, 300, 8)],
  ['noise elongated 250x1900', () => noise(250, 1900, 9)],
  ['noise very elongated 7x40 (upscale)', () => noise(7, 40, 10)],
  ['noise 1x1', () => noise(1, 1, 11)],
  ['noise 512x512 (no resize)', () => noise(512, 512, 12)],
  ['noise 512x900 (vertical pass only)', () => noise(512, 900, 13)],
  ['noise 901x512 (horizontal pass only)', () => noise(901, 512, 14)],
  ['noise 3000x2500', () => noise(3000, 2500, 15)],
  ['gradient 1024x768', () => gradient(1024, 768)],
  ['gradient 999x1501', () => gradient(999, 1501)],
  ['gradient 333x222 (upscale)', () => gradient(333, 222)],
];
if (sample) {
  cases.push(
    [`cxr-sample ${sample.width}x${sample.height}`, () => sample],
    ['cxr-sample window 1024x700', () => window(sample, 0, 150, 1024, 700)],
    ['cxr-sample window 601x1024', () => window(sample, 200, 0, 601, 1024)],
    ['cxr-sample window 400x300 (upscale)', () => window(sample, 300, 350, 400, 300)],
  );
}

const report: { case: string; maxDiff: number; differing: number; tensorMaxErr: number }[] = [];
afterAll(() => {
  if (report.length) console.table(report);
});

describe('preprocessGray equals the PIL + numpy reference', () => {
  it('has the real radiograph to test with', () => {
    expect(sample, `missing ${SAMPLE}`).toBeDefined();
    expect([sample!.width, sample!.height]).toEqual([1024, 1024]);
  });

  for (const [name, make] of cases) {
    it(name, () => {
      const img = make();
      const ours = preprocessGray(img, SPEC);
      const pil = pilPreprocess(img, 512, SPEC.mean[0]!, SPEC.std[0]!);
      expect(ours.dims).toEqual([1, 1, 512, 512]);
      expect([ours.resized.width, ours.resized.height]).toEqual([512, 512]);
      const d = diffStats(ours.resized.data, pil.crop);

      // Normalisation is checked on PIL's own crop so a resize difference cannot mask it.
      const t = normalizeToTensor({ width: 512, height: 512, data: pil.crop }, SPEC.mean, SPEC.std);
      let bitDiff = 0;
      let maxErr = 0;
      for (let i = 0; i < t.length; i++) {
        if (t[i] !== pil.tensor[i]) bitDiff++;
        maxErr = Math.max(maxErr, Math.abs(t[i]! - pil.tensor64[i]!));
      }
      report.push({ case: name, maxDiff: d.max, differing: d.count, tensorMaxErr: maxErr });

      expect(d.max, `${d.count} pixels differ`).toBeLessThanOrEqual(1);
      expect(d.count).toBe(0);
      expect(bitDiff).toBe(0);
      expect(maxErr).toBeLessThanOrEqual(1e-6);
      // A loop, not toEqual: deep equality on 262k floats takes about a second.
      let tensorDiff = 0;
      for (let i = 0; i < ours.tensor.length; i++) if (ours.tensor[i] !== pil.tensor[i]) tensorDiff++;
      expect(tensorDiff).toBe(0);
    }, 120_000);
  }
});

describe('preprocessGray options', () => {
  it('writes one plane per channel with that channel\'s mean and std', () => {
    const img = noise(64, 80, 21);
    const one = preprocessGray(img, { imageSize: 32, mean: [0.5], std: [0.25], channels: 1 });
    const three = preprocessGray(img, { imageSize: 32, mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.1], channels: 3 });
    expect(three.dims).toEqual([1, 3, 32, 32]);
    expect(three.tensor.length).toBe(3 * 32 * 32);
    expect(three.tensor.subarray(0, 1024)).toEqual(one.tensor);
    expect(three.resized.data).toEqual(one.resized.data);
    expect(three.tensor[1024 + 5]).toBeCloseTo((three.resized.data[5]! / 255 - 0.4) / 0.2, 5);
    expect(one.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses a bad image or spec', () => {
    expect(() => preprocessGray({ width: 2, height: 2, data: new Uint8Array(3) }, SPEC)).toThrow(RangeError);
    expect(() => preprocessGray(noise(8, 8, 1), { ...SPEC, mean: [0.5, 0.5] })).toThrow(RangeError);
    expect(() => preprocessGray(noise(8, 8, 1), { ...SPEC, std: [0] })).toThrow(RangeError);
  });
});
