// Node-only (tests and bench): runs PIL through Debian's python3 to get reference outputs.
// Not exported from index.ts, so nothing shipped to the browser reaches child_process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GrayImage } from './types';

export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pil-reference.py', import.meta.url));

function runPil(args: (string | number)[], input?: Uint8Array): Buffer {
  const r = spawnSync(PYTHON, [SCRIPT, ...args.map(String)], { input, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`cannot run ${PYTHON} (set PYTHON to a python3 with Pillow and numpy): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`pil-reference.py ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

export function pilGray(pixels: Uint8Array, width: number, height: number, channels: 3 | 4): Uint8Array {
  return new Uint8Array(runPil(['gray', width, height, channels], pixels));
}

export function pilResize(img: GrayImage, width: number, height: number): Uint8Array {
  return new Uint8Array(runPil(['resize', img.width, img.height, width, height], img.data));
}

export interface PilPreprocessed {
  crop: Uint8Array;
  /** As models/reference.py computes it (float32 steps). */
  tensor: Float32Array;
  /** (x / 255 - mean) / std in float64. */
  tensor64: Float64Array;
}

export function pilPreprocess(img: GrayImage, size: number, mean: number, std: number): PilPreprocessed {
  const out = runPil(['preprocess', img.width, img.height, size, mean, std], img.data);
  const n = size * size;
  // Copy out of the Buffer: its offset in Node's pool need not be aligned for typed views.
  const bytes = new Uint8Array(out);
  if (bytes.length !== n * 13) throw new Error(`pil-reference.py preprocess wrote ${bytes.length} bytes, expected ${n * 13}`);
  return {
    crop: bytes.slice(0, n),
    tensor: new Float32Array(bytes.slice(n, n * 5).buffer),
    tensor64: new Float64Array(bytes.slice(n * 5).buffer),
  };
}

export function pilDecode(path: string): GrayImage {
  const out = runPil(['decode', path]);
  const nl = out.indexOf(0x0a);
  const { width, height } = JSON.parse(out.subarray(0, nl).toString()) as { width: number; height: number };
  return { width, height, data: new Uint8Array(out.subarray(nl + 1)) };
}

/** Deterministic pseudo-random bytes (mulberry32), so a failing case can be reproduced. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

export function diffStats(a: Uint8Array, b: Uint8Array): { max: number; count: number } {
  if (a.length !== b.length) throw new RangeError(`length mismatch ${a.length} vs ${b.length}`);
  let max = 0;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d) {
      count++;
      if (d > max) max = d;
    }
  }
  return { max, count };
}
