// Decode-free preprocessing speed (grey pixels -> model tensor): this TypeScript vs the reference
// PIL + numpy code on the same machine and the same pixels. Node only (spawns python3).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { preprocessGray, type PreprocessSpec } from '../preprocess/preprocess';
import { defaultPasses, scalarPasses } from '../preprocess/resize-lanczos';
import type { GrayImage } from '../preprocess/types';

export interface PreprocessBenchOptions {
  width?: number;
  height?: number;
  runs?: number;
  warmup?: number;
  spec?: PreprocessSpec;
  /** A python3 with Pillow and numpy (default: $PYTHON or Debian's /usr/bin/python3). */
  python?: string;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  runsMs: number[];
  /**
   * CPU time of the process per run (median): what other jobs on a shared machine disturb least,
   * since waiting for a core is not counted. Both sides are single-threaded here.
   */
  cpuMedianMs?: number;
}

export interface PreprocessBenchResult {
  image: { width: number; height: number };
  spec: PreprocessSpec;
  runs: number;
  warmup: number;
  /** What the app runs: the resize passes as WebAssembly SIMD where the runtime has it. */
  typescript: Timing & { node: string; passes: string };
  /** The scalar TypeScript passes (the fallback without SIMD), timed alternately with the above. */
  scalar: Timing;
  pil: Timing & { pillow: string; numpy: string };
  /** TypeScript median / PIL median: below 1 means the TypeScript is faster. */
  ratio: number;
  /** The same with CPU time per run (robust to other jobs' load). */
  cpuRatio: number;
  /** The two crops compared, so a fast but wrong result cannot pass unnoticed. */
  parity: { maxDiff: number; differingPixels: number };
}

const PIL_SCRIPT = fileURLToPath(new URL('./pil-preprocess-bench.py', import.meta.url));

export async function runPreprocessBench(options: PreprocessBenchOptions = {}): Promise<PreprocessBenchResult> {
  const { width = 3000, height = 2500, runs = 15, warmup = 3 } = options;
  const spec = options.spec ?? { imageSize: 512, mean: [0.5518], std: [0.3822], channels: 1 };
  const python = options.python ?? process.env.PYTHON ?? '/usr/bin/python3';
  const img = syntheticRadiograph(width, height);

  const passes = defaultPasses();
  let crop: Uint8Array = new Uint8Array(0);
  let scalarCrop: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < warmup; i++) {
    preprocessGray(img, spec, passes);
    preprocessGray(img, spec, scalarPasses);
  }
  const tsRuns: number[] = [];
  const tsCpu: number[] = [];
  const scalarRuns: number[] = [];
  const scalarCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    let c = process.cpuUsage();
    let t = performance.now();
    crop = preprocessGray(img, spec, passes).resized.data;
    tsRuns.push(performance.now() - t);
    let d = process.cpuUsage(c);
    tsCpu.push((d.user + d.system) / 1000);
    c = process.cpuUsage();
    t = performance.now();
    scalarCrop = preprocessGray(img, spec, scalarPasses).resized.data;
    scalarRuns.push(performance.now() - t);
    d = process.cpuUsage(c);
    scalarCpu.push((d.user + d.system) / 1000);
  }
  const scalarParity = compareCrops(scalarCrop, crop);
  if (scalarParity.differingPixels) throw new Error(`the ${passes.name} and scalar resizes differ in ${scalarParity.differingPixels} pixels`);

  const args = [PIL_SCRIPT, width, height, spec.imageSize, runs, warmup, spec.mean[0]!, spec.std[0]!].map(String);
  const out = await runWithStdin(python, args, img.data);
  const nl = out.indexOf(0x0a);
  const pil = JSON.parse(out.subarray(0, nl).toString()) as PreprocessBenchResult['pil'];
  const pilCrop = out.subarray(nl + 1);

  const typescript = { ...summarise(tsRuns), cpuMedianMs: summarise(tsCpu).medianMs, node: process.version, passes: passes.name };
  return {
    image: { width, height },
    spec,
    runs,
    warmup,
    typescript,
    scalar: { ...summarise(scalarRuns), cpuMedianMs: summarise(scalarCpu).medianMs },
    pil,
    ratio: typescript.medianMs / pil.medianMs,
    cpuRatio: typescript.cpuMedianMs / pil.cpuMedianMs!,
    parity: compareCrops(crop, pilCrop),
  };
}

/** Our 8-bit crop against PIL's: how many pixels differ and by how much at most. */
export function compareCrops(ours: Uint8Array, pil: Uint8Array): { maxDiff: number; differingPixels: number } {
  if (pil.length !== ours.length) throw new Error(`PIL crop has ${pil.length} bytes, TypeScript ${ours.length}`);
  let maxDiff = 0;
  let differingPixels = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i]! - pil[i]!);
    if (d) differingPixels++;
    if (d > maxDiff) maxDiff = d;
  }
  return { maxDiff, differingPixels };
}

export function summarise(runsMs: number[]): Timing {
  const s = [...runsMs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const medianMs = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { medianMs, minMs: s[0]!, runsMs };
}

/** Smooth anatomy-like gradients plus noise, so the resize sees both flat areas and detail. */
export function syntheticRadiograph(width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  let seed = 0x9e3779b9;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const u = x / width - 0.5;
      const v = y / height - 0.5;
      const body = 200 * Math.exp(-(u * u + v * v) * 6) + 20 * Math.sin(x / 37) * Math.cos(y / 53);
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(body + ((seed >>> 24) - 128) / 8)));
    }
  }
  return { width, height, data };
}

export function runWithStdin(cmd: string, args: string[], input: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} ${args[0]} exited with ${code}: ${Buffer.concat(err).toString()}`));
    });
    child.stdin.on('error', () => {}); // a crash before reading stdin is reported by 'close'
    child.stdin.end(input);
  });
}
