// `preprocess <image> --out <dir>`: runs the model's image preprocessing headlessly and writes
// what it made, so the browser pipeline can be compared with the reference outside a browser.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodePgm, decodePgm, isPgm } from '../../preprocess/pgm';
import { preprocessGray, type PreprocessSpec } from '../../preprocess/preprocess';
import type { GrayDecoder } from '../../preprocess/types';

export type { GrayDecoder } from '../../preprocess/types';

export const PREPROCESS_USAGE =
  'usage: preprocess <image> --out <dir> (--mean M --std S [--size 512] | --manifest path/to/manifest.json)\n' +
  '  writes <dir>/preprocessed.pgm (the uint8 crop), <dir>/tensor.f32 (float32 LE) and <dir>/tensor.json\n' +
  '  mean/std take one value per channel, comma-separated';

/** Until the image decoders are wired in, the command reads binary PGM only. */
export const decodePgmOnly: GrayDecoder = async (bytes, name) => {
  if (!isPgm(bytes)) throw new Error(`${name}: only binary PGM (P5) is readable without an image decoder`);
  return decodePgm(bytes);
};

class UsageError extends Error {}

export async function preprocessCommand(args: string[], decode: GrayDecoder = decodePgmOnly): Promise<number> {
  let opts: { image: string; out: string; spec: PreprocessSpec };
  try {
    opts = await parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${PREPROCESS_USAGE}`);
    return 2;
  }
  const { image, out, spec } = opts;
  const gray = await decode(new Uint8Array(await readFile(image)), path.basename(image));
  const result = preprocessGray(gray, spec);

  await mkdir(out, { recursive: true });
  const tensorBytes = new Uint8Array(result.tensor.length * 4);
  const view = new DataView(tensorBytes.buffer);
  for (let i = 0; i < result.tensor.length; i++) view.setFloat32(i * 4, result.tensor[i]!, true);
  const meta = {
    dims: result.dims,
    dtype: 'float32',
    byteOrder: 'little-endian',
    mean: spec.mean,
    std: spec.std,
    source: { file: path.basename(image), width: gray.width, height: gray.height },
    resizedTo: result.resizedSize,
    timings: result.timings,
  };
  await Promise.all([
    writeFile(path.join(out, 'preprocessed.pgm'), encodePgm(result.resized)),
    writeFile(path.join(out, 'tensor.f32'), tensorBytes),
    writeFile(path.join(out, 'tensor.json'), JSON.stringify(meta, null, 2) + '\n'),
  ]);
  console.log(
    `${gray.width}x${gray.height} -> ${result.resizedSize.width}x${result.resizedSize.height} -> [${result.dims.join(', ')}] ` +
      `in ${result.timings.totalMs.toFixed(1)} ms; wrote ${out}`,
  );
  return 0;
}

async function parseArgs(args: string[]): Promise<{ image: string; out: string; spec: PreprocessSpec }> {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (!['out', 'mean', 'std', 'size', 'manifest'].includes(name)) throw new UsageError(`unknown option --${name}`);
      flags.set(name, value);
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 1) throw new UsageError('give exactly one image');
  const out = flags.get('out');
  if (!out) throw new UsageError('--out is required');

  const manifest = flags.get('manifest');
  if (manifest !== undefined) {
    if (flags.has('mean') || flags.has('std') || flags.has('size')) throw new UsageError('--manifest replaces --mean/--std/--size');
    return { image: positional[0]!, out, spec: await specFromManifest(manifest) };
  }
  const mean = flags.get('mean');
  const std = flags.get('std');
  if (mean === undefined || std === undefined) throw new UsageError('give --mean and --std, or --manifest');
  const spec = { imageSize: Number(flags.get('size') ?? 512), mean: numbers(mean, 'mean'), std: numbers(std, 'std'), channels: 0 };
  spec.channels = spec.mean.length;
  checkSpec(spec, 'arguments');
  return { image: positional[0]!, out, spec };
}

function numbers(s: string, what: string): number[] {
  const v = s.split(',').map(Number);
  if (v.some((x) => !Number.isFinite(x))) throw new UsageError(`--${what} must be numbers, got "${s}"`);
  return v;
}

async function specFromManifest(file: string): Promise<PreprocessSpec> {
  const json = JSON.parse(await readFile(file, 'utf8')) as { vision?: Partial<PreprocessSpec> };
  const v = json.vision ?? {};
  const spec = { imageSize: v.imageSize, mean: v.mean, std: v.std, channels: v.channels } as PreprocessSpec;
  checkSpec(spec, file);
  return spec;
}

function checkSpec(s: PreprocessSpec, where: string): void {
  const ok =
    Number.isInteger(s.imageSize) && s.imageSize > 0 && Number.isInteger(s.channels) && s.channels > 0 &&
    Array.isArray(s.mean) && Array.isArray(s.std) && s.mean.length === s.channels && s.std.length === s.channels &&
    [...s.mean, ...s.std].every((x) => typeof x === 'number' && Number.isFinite(x)) && s.std.every((x) => x !== 0);
  if (!ok) throw new UsageError(`${where}: need a positive integer imageSize and channels, and that many finite mean/std (std != 0)`);
}
