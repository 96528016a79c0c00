/**
 * Child process of src/imaging/fuzz.test.ts: decodes fuzz cases with the Node decoder (the same
 * decode-core the browser's worker runs) and prints one JSON line per case. It runs apart from
 * the test so that a case that hangs or kills its process can be stopped and reported, and the
 * rest go on in a fresh process.
 *
 *   node --import tsx src/security/fuzz-runner.ts FIXTURE_DIR COUNT SEED FIRST_INDEX
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../imaging/decode-node';
import { defaultVoiImage } from '../imaging/default-voi';
import { ImagingError } from '../imaging/errors';
import { fuzzCases } from './fuzz-cases';

export type FuzzOutcome =
  | { i: number; outcome: 'image'; ms: number; size: string }
  | { i: number; outcome: 'imaging-error'; ms: number; code: string; message: string }
  | { i: number; outcome: 'other-error'; ms: number; name: string; message: string; stack: string; fatal?: true };

export function loadFixtures(dir: string) {
  return readdirSync(dir)
    .filter((n) => /\.(dcm|png|jpe?g)$/i.test(n))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(dir, name))) }));
}

async function main() {
  const [dir, count, seed, first] = process.argv.slice(2);
  const cases = fuzzCases(loadFixtures(dir!), Number(count), Number(seed));
  let current = -1;
  const die = (what: string) => (err: unknown) => {
    const line = { i: current, outcome: 'other-error', ms: 0, name: what, message: String((err as Error)?.message ?? err), stack: String((err as Error)?.stack ?? ''), fatal: true };
    process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(3));
  };
  process.on('uncaughtException', die('uncaughtException'));
  process.on('unhandledRejection', die('unhandledRejection'));
  process.stdout.write('{"ready":true}\n');
  for (const c of cases.slice(Number(first))) {
    current = c.index;
    const t0 = performance.now();
    let line: FuzzOutcome;
    try {
      const image = await decodeImageFile(c.bytes, c.name);
      const grey = defaultVoiImage(image);
      if (grey.width !== image.width || grey.height !== image.height || grey.data.length !== image.width * image.height) {
        throw new Error(`inconsistent output: ${image.width}x${image.height}, grey ${grey.width}x${grey.height} (${grey.data.length} bytes)`);
      }
      line = { i: c.index, outcome: 'image', ms: performance.now() - t0, size: `${image.width}x${image.height}` };
    } catch (err) {
      const ms = performance.now() - t0;
      line =
        err instanceof ImagingError
          ? { i: c.index, outcome: 'imaging-error', ms, code: err.code, message: err.message }
          : { i: c.index, outcome: 'other-error', ms, name: (err as Error)?.name ?? typeof err, message: String((err as Error)?.message ?? err), stack: String((err as Error)?.stack ?? '').split('\n').slice(0, 4).join(' | ') };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) void main();
