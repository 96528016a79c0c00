import { describe, expect, it } from 'vitest';
import { decodeToGray } from './decode-node';
import { WARM_UP_DECODES, warmUpDecoder, warmUpJpegs } from './warm-up';

describe('decoder warm-up', () => {
  it('decodes a 2048x2048 mid-grey JPEG first (the codec memory a radiograph needs)', async () => {
    const g = await decodeToGray(warmUpJpegs()[0]!, 'warm-up.jpg');
    expect([g.width, g.height]).toEqual([2048, 2048]);
    expect(g.data.every((v) => Math.abs(v - 128) <= 1)).toBe(true);
  });

  it('then a 256x256 grey field with texture in every block', async () => {
    const g = await decodeToGray(warmUpJpegs()[1]!, 'warm-up.jpg');
    expect([g.width, g.height]).toEqual([256, 256]);
    let sum = 0;
    for (const v of g.data) sum += v;
    expect(sum / g.data.length).toBeGreaterThan(90);
    expect(sum / g.data.length).toBeLessThan(150);
    // No flat 8x8 block (a flat one would take libjpeg-turbo's DC-only shortcut, not the full IDCT).
    for (let by = 0; by < 256; by += 8) {
      for (let bx = 0; bx < 256; bx += 8) {
        const block = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((r) => Array.from(g.data.subarray((by + r) * 256 + bx, (by + r) * 256 + bx + 8)));
        expect(Math.max(...block) - Math.min(...block), `block ${bx},${by}`).toBeGreaterThan(4);
      }
    }
  });

  it(`decodes it ${WARM_UP_DECODES} times, each from its own copy of the bytes`, async () => {
    const seen: Uint8Array[] = [];
    await warmUpDecoder(async (bytes) => {
      seen.push(bytes);
    });
    expect(seen).toHaveLength(WARM_UP_DECODES);
    expect(new Set(seen.map((b) => b.buffer)).size).toBe(WARM_UP_DECODES);
    expect(seen.slice(2).every((b) => Buffer.from(b).equals(Buffer.from(seen[1]!)))).toBe(true);
  });

  it('never throws, and stops at the first failure', async () => {
    let calls = 0;
    await expect(
      warmUpDecoder(async () => {
        calls++;
        throw new Error('boom');
      }),
    ).resolves.toBeUndefined();
    expect(calls).toBe(1);
  });
});
