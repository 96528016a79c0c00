import { describe, expect, it } from 'vitest';
import { decodeToGray } from './decode-node';
import { tinyJpeg, warmUpDecoder } from './warm-up';

describe('decoder warm-up', () => {
  it('the embedded JPEG decodes to 8x8 mid-grey through the real codec', async () => {
    const g = await decodeToGray(tinyJpeg(), 'warm-up.jpg');
    expect([g.width, g.height]).toEqual([8, 8]);
    expect(Math.abs(g.data[0]! - 128)).toBeLessThanOrEqual(1);
  });

  it('never throws, even when the decoder does', async () => {
    await expect(warmUpDecoder(async () => Promise.reject(new Error('boom')))).resolves.toBeUndefined();
  });
});
