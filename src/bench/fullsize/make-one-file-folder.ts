// `npx tsx src/bench/fullsize/make-one-file-folder.ts [--bytes N] [--out DIR]`
// A model folder for the full-size bench (`npm run bench:fullsize -- --folder DIR --no-encode`)
// that holds ONE large file: vision.onnx of N seeded random bytes (default 1,231,444,357, the
// size of CXR-LLaVA v2's fp32 vision export) and the tiny model's tokenizer.json, with the tiny
// model's manifest.json rewritten to list just those two (sha256 of each) and no WebLLM folder.
// What one big file costs the download / cache / sha256 pipeline, without the 5 GB folder of
// models/bench/make_fullsize_folder.py (which needs torch to export the real vision tower). Not a
// model: vision.onnx is random bytes, so the bench's encode phase cannot run on it.
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManifestFile, ModelManifest } from '../../model/manifest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TINY = join(ROOT, 'public/models/cxr-llava-tiny');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const bytes = Number(arg('bytes', '1231444357'));
const out = resolve(arg('out', join(ROOT, 'models/work/fullsize/one-file')));
mkdirSync(out, { recursive: true });

// Seeded (xorshift32) so two runs write the same file; 32 MiB at a time in memory.
const PIECE = 32 * 2 ** 20;
const hash = createHash('sha256');
const fd = openSync(join(out, 'vision.onnx'), 'w');
let s = 20261206;
const piece = new Uint8Array(PIECE);
const words = new Uint32Array(piece.buffer);
for (let done = 0; done < bytes; ) {
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = s >>> 0;
  }
  const n = Math.min(PIECE, bytes - done);
  writeSync(fd, piece, 0, n);
  hash.update(piece.subarray(0, n));
  done += n;
}
closeSync(fd);

const tiny = JSON.parse(readFileSync(join(TINY, 'manifest.json'), 'utf8')) as ModelManifest;
const tokenizer = tiny.files.find((f) => f.path === tiny.tokenizer.json)!;
copyFileSync(join(TINY, tokenizer.path), join(out, tokenizer.path));
const files: ManifestFile[] = [{ path: 'vision.onnx', bytes, sha256: hash.digest('hex') }, tokenizer];
const decoder = { ...tiny.decoder };
delete decoder.webllm;
const manifest = {
  ...tiny,
  id: 'cxr-llava-one-file',
  name: `One ${bytes}-byte random file (full-size bench of the download pipeline)`,
  vision: { ...tiny.vision, onnx: { fp32: 'vision.onnx' } },
  decoder,
  files,
};
delete (manifest as Partial<ModelManifest>).selfCheck;
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
console.error(`${out}: vision.onnx ${bytes} bytes, sha256 ${files[0]!.sha256}`);
