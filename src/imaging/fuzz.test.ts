/**
 * Intake fuzzing in Node: FUZZ_CASES (default 400) malformed files made from the valid fixtures by
 * a fixed-seed PRNG (src/security/fuzz-cases.ts lists the mutations) go through the same decode
 * core as the browser's worker. Each must end within CASE_TIMEOUT_MS in a decoded image or an
 * ImagingError with a message naming the file; never a hang, a crash or another kind of exception.
 *
 * The cases run in a child process (src/security/fuzz-runner.ts): a synchronous hang cannot be
 * interrupted in-process, so a case that hangs or kills the process is reported and the rest go on
 * in a fresh child. Replay a failure with FUZZ_SEED / FUZZ_CASES and its index.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { FuzzOutcome } from '../security/fuzz-runner';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const RUNNER = fileURLToPath(new URL('../security/fuzz-runner.ts', import.meta.url));
const COUNT = Number(process.env.FUZZ_CASES ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CASE_TIMEOUT_MS = 5_000;
const START_TIMEOUT_MS = 60_000;

type Result = FuzzOutcome | { i: number; outcome: 'hang' | 'crash'; ms: number; message: string };

/** Runs cases first..COUNT-1 in one child; resolves with its results (the last one says why it stopped, if early). */
function runChild(first: number): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, FIXTURES, String(COUNT), String(SEED), String(first)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const results: Result[] = [];
    let next = first;
    let stderr = '';
    let ready = false;
    let finished = false;
    let timer: NodeJS.Timeout;
    const finish = (extra?: Result) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (extra) results.push(extra);
      resolve(results);
    };
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        if (!ready) reject(new Error(`the fuzz runner did not start in ${ms} ms: ${stderr.trim().slice(-500)}`));
        finish({ i: next, outcome: 'hang', ms, message: `no answer in ${ms} ms` });
      }, ms);
    };
    arm(START_TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as Result | { ready: true };
      if ('ready' in msg) {
        ready = true;
        return arm(CASE_TIMEOUT_MS);
      }
      results.push(msg);
      next = msg.i + 1;
      arm(CASE_TIMEOUT_MS);
    });
    child.on('exit', (code, signal) => {
      if (finished) return;
      if (!ready) {
        finished = true;
        clearTimeout(timer);
        return reject(new Error(`the fuzz runner exited (${code ?? signal}) before it started: ${stderr.trim().slice(-500)}`));
      }
      const last = results.at(-1);
      // An uncaught exception was reported on its case's line; otherwise the case being run crashed.
      if ((code === 0 && next >= COUNT) || (last && 'fatal' in last)) finish();
      else finish({ i: next, outcome: 'crash', ms: 0, message: `runner exited (${code ?? signal}) at case ${next}: ${stderr.trim().slice(-500)}` });
    });
  });
}

describe('intake fuzzing (Node decoder)', () => {
  it(`${COUNT} malformed files (seed ${SEED}) each end in an image or an ImagingError within ${CASE_TIMEOUT_MS / 1000} s`, async () => {
    const results: Result[] = [];
    let first = 0;
    while (first < COUNT) {
      const batch = await runChild(first);
      results.push(...batch);
      const last = batch.at(-1);
      // A hang or a crash ends a child; its case is recorded and the next child starts after it.
      first = last ? Math.max(first + 1, last.i + 1) : COUNT;
    }
    const bad = results.filter((r) => r.outcome !== 'image' && r.outcome !== 'imaging-error');
    const unclear = results.filter((r) => r.outcome === 'imaging-error' && !r.message.includes(`fuzz-${r.i}-`));
    const counts: Record<string, number> = {};
    for (const r of results) {
      const key = r.outcome === 'imaging-error' ? `ImagingError ${r.code}` : r.outcome;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const slowest = Math.max(...results.map((r) => r.ms));
    console.log(`intake fuzz: ${results.length} cases, seed ${SEED}; slowest ${slowest.toFixed(0)} ms; ${JSON.stringify(counts)}`);
    expect(bad.map((r) => JSON.stringify(r))).toEqual([]);
    expect(unclear.map((r) => JSON.stringify(r))).toEqual([]);
    expect(results.map((r) => r.i)).toEqual([...Array(COUNT).keys()]);
  }, 300_000);
});
