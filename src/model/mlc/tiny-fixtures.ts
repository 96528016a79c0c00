/**
 * Node-only access to the bundled tiny model (public/models/cxr-llava-tiny/) and the PyTorch
 * golden files (models/tiny/golden/, written by models/reference.py), for tests.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ReadBytes } from './tensor-cache';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TINY_DIR = path.join(REPO_ROOT, 'public/models/cxr-llava-tiny');
export const GOLDEN_DIR = path.join(REPO_ROOT, 'models/tiny/golden');

export function dirReader(dir: string): ReadBytes {
  return async (rel) => new Uint8Array(await readFile(path.join(dir, rel)));
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export interface GoldenPrompt {
  text: string;
  ids: number[];
  imageIndex: number;
  greedy: number[];
}

export interface Golden {
  imageTokenIndex: number;
  maxNewTokensPerTurn: number;
  eosTokenId: number;
  pixelValues: { file: string; shape: number[] };
  imageRows: { file: string; shape: number[] };
  report: GoldenPrompt & { firstTokenWithZeroImage: number };
  chat: { followUp: string; turn2: GoldenPrompt };
}

export interface GoldenWeights {
  tensors: { name: string; shape: number[]; offset: number }[];
}

export function goldenWeights(): Map<string, { shape: number[]; data: Float32Array }> {
  const index = readJson<GoldenWeights>(path.join(GOLDEN_DIR, 'weights.json'));
  const all = readF32(path.join(GOLDEN_DIR, 'weights.f32'));
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of index.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    out.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + n) });
  }
  return out;
}
