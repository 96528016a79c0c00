// A 3000x2500 16-bit DICOM from file bytes to the model tensor: decode + default window +
// preprocess in TypeScript (the same decode-core the browser's worker runs) against pydicom + numpy
// + PIL doing the same steps on the same file, side by side in one run. Node only (spawns python3).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultVoiImage } from '../imaging/default-voi';
import { decodeImageFile } from '../imaging/decode-node';
import { preprocessGray } from '../preprocess/preprocess';
import { compareCrops, runWithStdin, summarise, type PreprocessBenchOptions, type Timing } from './preprocess-bench';

/** As the preprocessing bench's; `python` must also have pydicom. */
export type DicomBenchOptions = PreprocessBenchOptions;

export interface DicomBenchResult {
  file: { width: number; height: number; bytes: number; transferSyntax: string; bitsStored: number };
  runs: number;
  warmup: number;
  /** Each TypeScript stage on its own (medians), and the whole file -> tensor path. */
  typescript: Timing & { node: string; stagesMedianMs: { decode: number; window: number; preprocess: number } };
  python: Timing & { pillow: string; numpy: string; pydicom: string };
  /** TypeScript median / Python median for file -> tensor: below 1 means the TypeScript is faster. */
  ratio: number;
  parity: { maxDiff: number; differingPixels: number };
}

const PY_SCRIPT = fileURLToPath(new URL('./pil-dicom-bench.py', import.meta.url));

export async function runDicomBench(options: DicomBenchOptions = {}): Promise<DicomBenchResult> {
  const { width = 3000, height = 2500, runs = 9, warmup = 2 } = options;
  const spec = options.spec ?? { imageSize: 512, mean: [0.5518], std: [0.3822], channels: 1 };
  const python = options.python ?? process.env.PYTHON ?? '/usr/bin/python3';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-dicom-bench-'));
  try {
    const file = path.join(dir, 'bench.dcm');
    await run(python, [PY_SCRIPT, 'make', file, String(width), String(height)]);
    const bytes = new Uint8Array(await readFile(file));

    const stages = { decode: [] as number[], window: [] as number[], preprocess: [] as number[] };
    const totals: number[] = [];
    let crop: Uint8Array = new Uint8Array(0);
    let info: DicomBenchResult['file'] | undefined;
    for (let i = 0; i < warmup + runs; i++) {
      // Each run starts from a fresh copy of the file bytes, as a dropped file does.
      const input = bytes.slice();
      const t0 = performance.now();
      const img = await decodeImageFile(input, 'bench.dcm');
      const t1 = performance.now();
      const gray = defaultVoiImage(img);
      const t2 = performance.now();
      crop = preprocessGray(gray, spec).resized.data;
      const t3 = performance.now();
      if (i < warmup) continue;
      stages.decode.push(t1 - t0);
      stages.window.push(t2 - t1);
      stages.preprocess.push(t3 - t2);
      totals.push(t3 - t0);
      info ??= { width: img.width, height: img.height, bytes: bytes.length, transferSyntax: img.meta.find((m) => m.key === 'transferSyntax')?.value ?? 'unknown', bitsStored: img.bitsStored };
    }

    const args = [PY_SCRIPT, 'bench', file, spec.imageSize, runs, warmup, spec.mean[0]!, spec.std[0]!].map(String);
    const out = await runWithStdin(python, args, new Uint8Array(0));
    const nl = out.indexOf(0x0a);
    const py = JSON.parse(out.subarray(0, nl).toString()) as DicomBenchResult['python'];
    const median = (xs: number[]) => summarise(xs).medianMs;
    const typescript = {
      ...summarise(totals),
      node: process.version,
      stagesMedianMs: { decode: median(stages.decode), window: median(stages.window), preprocess: median(stages.preprocess) },
    };
    return { file: info!, runs, warmup, typescript, python: py, ratio: typescript.medianMs / py.medianMs, parity: compareCrops(crop, out.subarray(nl + 1)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')} exited with ${code}: ${Buffer.concat(err).toString()}`))));
  });
}
