import { describe, expect, it } from 'vitest';
import { repeatUntilSteady, STEADY_RULE } from './warm-up';

/** Rounds that "take" the scripted durations; returns how many ran. */
async function rounds(durations: number[]) {
  const ran: number[] = [];
  const r = await repeatUntilSteady(async (n) => {
    ran.push(n);
    return durations[n - 1]!;
  }, STEADY_RULE);
  expect(r.roundsMs).toEqual(durations.slice(0, ran.length));
  expect(r.totalMs).toBe(durations.slice(0, ran.length).reduce((a, b) => a + b, 0));
  return ran;
}

describe('warm-up until steady', () => {
  it('repeats a short first round, and goes on only while rounds get clearly faster', async () => {
    // Measured in Chromium (demo model, wasm, 2 cores): 1.8 s, then 0.3 s twice -> settled.
    expect(await rounds([1814, 297, 297, 100])).toEqual([1, 2, 3]);
    // Still improving by more than 15 % each time: up to the cap of 4 rounds.
    expect(await rounds([1619, 298, 251, 202, 150])).toEqual([1, 2, 3, 4]);
    // A second round no faster than the first: stop there.
    expect(await rounds([400, 390, 100])).toEqual([1, 2]);
  });

  it('does not repeat a long first round (the real model on wasm, shader compilation on a GPU)', async () => {
    expect(await rounds([45_000, 1000])).toEqual([1]);
    expect(await rounds([STEADY_RULE.repeatBelowMs, 1])).toEqual([1]);
  });
});
