// Tests src/cli/commands/preprocess.ts (kept here: the command is a thin shell over this module).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { preprocessCommand } from '../cli/commands/preprocess';
import { decodePgm, encodePgm } from './pgm';
import { pilPreprocess, randomBytes } from './pil-reference.node';

let dir = '';
const img = { width: 700, height: 530, data: randomBytes(700 * 530, 99) };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'preprocess-cmd-'));
  await writeFile(path.join(dir, 'in.pgm'), encodePgm(img));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('preprocess command', () => {
  it('writes the crop, the float32 tensor and its description, equal to the reference', async () => {
    const out = path.join(dir, 'out');
    expect(await preprocessCommand([path.join(dir, 'in.pgm'), '--out', out, '--mean', '0.5518', '--std', '0.3822'])).toBe(0);
    const crop = decodePgm(new Uint8Array(await readFile(path.join(out, 'preprocessed.pgm'))));
    const raw = new Uint8Array(await readFile(path.join(out, 'tensor.f32')));
    const meta = JSON.parse(await readFile(path.join(out, 'tensor.json'), 'utf8'));
    const pil = pilPreprocess(img, 512, 0.5518, 0.3822);
    expect([crop.width, crop.height]).toEqual([512, 512]);
    expect(Buffer.compare(Buffer.from(crop.data), Buffer.from(pil.crop))).toBe(0);
    expect(Buffer.compare(Buffer.from(raw), Buffer.from(pil.tensor.buffer))).toBe(0);
    expect(meta).toMatchObject({
      dims: [1, 1, 512, 512],
      dtype: 'float32',
      mean: [0.5518],
      std: [0.3822],
      source: { file: 'in.pgm', width: 700, height: 530 },
      resizedTo: { width: 676, height: 512 },
    });
  }, 60_000);

  it('takes mean, std and size from a manifest, and uses an injected decoder', async () => {
    const manifest = path.join(dir, 'manifest.json');
    await writeFile(manifest, JSON.stringify({ vision: { imageSize: 64, channels: 1, mean: [0.4], std: [0.2] } }));
    await writeFile(path.join(dir, 'in.raw'), img.data);
    const decode = vi.fn(async (bytes: Uint8Array) => ({ width: 700, height: 530, data: bytes }));
    const out = path.join(dir, 'out2');
    expect(await preprocessCommand([path.join(dir, 'in.raw'), '--manifest', manifest, '--out', out], decode)).toBe(0);
    expect(decode).toHaveBeenCalledWith(expect.any(Uint8Array), 'in.raw');
    const meta = JSON.parse(await readFile(path.join(out, 'tensor.json'), 'utf8'));
    expect(meta.dims).toEqual([1, 1, 64, 64]);
    expect((await readFile(path.join(out, 'tensor.f32'))).length).toBe(64 * 64 * 4);
  });

  it('answers usage errors with exit code 2 and refuses non-PGM input without a decoder', async () => {
    const input = path.join(dir, 'in.pgm');
    expect(await preprocessCommand([input, '--mean', '0.5', '--std', '0.2'])).toBe(2);
    expect(await preprocessCommand([input, '--out', dir])).toBe(2);
    expect(await preprocessCommand([input, '--out', dir, '--mean', 'x', '--std', '0.2'])).toBe(2);
    expect(await preprocessCommand([input, '--out', dir, '--mean', '0.5', '--std', '0.2', '--bogus', '1'])).toBe(2);
    await writeFile(path.join(dir, 'x.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    await expect(preprocessCommand([path.join(dir, 'x.png'), '--out', dir, '--mean', '0.5', '--std', '0.2'])).rejects.toThrow(/PGM/);
  });
});
