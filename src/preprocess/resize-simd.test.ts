import { describe, expect, it } from 'vitest';
import { randomBytes } from './pil-reference.node';
import { defaultPasses, resizeLanczos, scalarPasses, type Region } from './resize-lanczos';
import { assembleResizeSimd } from './resize-simd-assemble';
import { simdPasses } from './resize-simd';
import { RESIZE_SIMD_WASM_BASE64 } from './resize-simd.wasm';
import type { GrayImage } from './types';

describe('the WebAssembly SIMD resize', () => {
  it('ships the bytes resize-simd.wat assembles to (run `npm run build:wasm` after editing it)', async () => {
    const committed = Buffer.from(RESIZE_SIMD_WASM_BASE64, 'base64');
    expect(Buffer.from(await assembleResizeSimd()).equals(committed)).toBe(true);
  });

  it('is what resizeLanczos uses by default where WebAssembly SIMD exists (Node 20 has it)', () => {
    expect(simdPasses(scalarPasses)?.name).toBe('wasm-simd');
    expect(defaultPasses().name).toBe('wasm-simd');
  });

  /** Random sizes, regions and contents, one after another through the same kernel memory. */
  it('gives the scalar passes\' bytes on 300 random resizes (sizes, regions, clipping, reused memory)', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const simd = simdPasses(scalarPasses)!;
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const big = i % 25 === 0;
      const inW = 1 + rand(big ? 2000 : 160);
      const inH = 1 + rand(big ? 2000 : 160);
      const outW = rand(4) === 0 ? inW : 1 + rand(big ? 600 : 200);
      const outH = rand(4) === 0 ? inH : 1 + rand(big ? 600 : 200);
      const data = rand(3) === 0 ? barsData(inW, inH, 1 + rand(9)) : randomBytes(inW * inH, i + 1);
      const img: GrayImage = { width: inW, height: inH, data };
      const left = rand(outW);
      const top = rand(outH);
      const region: Region = { left, top, width: 1 + rand(outW - left), height: 1 + rand(outH - top) };
      const a = resizeLanczos(img, outW, outH, region, simd);
      const b = resizeLanczos(img, outW, outH, region, scalarPasses);
      expect([a.width, a.height]).toEqual([b.width, b.height]);
      const same = Buffer.from(a.data).equals(Buffer.from(b.data));
      if (!same) throw new Error(`case ${i}: ${inW}x${inH} -> ${outW}x${outH} region ${JSON.stringify(region)} differs`);
      checked++;
    }
    expect(checked).toBe(300);
  }, 120_000);

  it('resizes with the scalar passes an image whose buffers would not fit the kernel\'s memory', () => {
    const img: GrayImage = { width: 1500, height: 1200, data: randomBytes(1500 * 1200, 5) };
    const calls: string[] = [];
    const spy = {
      name: 'scalar' as const,
      horizontal: (...a: Parameters<typeof scalarPasses.horizontal>) => (calls.push('h'), scalarPasses.horizontal(...a)),
      vertical: (...a: Parameters<typeof scalarPasses.vertical>) => (calls.push('v'), scalarPasses.vertical(...a)),
    };
    const small = simdPasses(spy, 1.5 * 2 ** 20)!;
    const a = resizeLanczos(img, 640, 512, undefined, small);
    expect(calls).toEqual(['h']); // 1.8 MB of input is over the limit; the 640x1200 -> 640x512 pass (1.1 MB) is not
    expect(Buffer.from(a.data).equals(Buffer.from(resizeLanczos(img, 640, 512, undefined, scalarPasses).data))).toBe(true);
  });

  it('gives the same bytes for a 3000x2500 radiograph-sized image cropped to 512x512', () => {
    const img: GrayImage = { width: 3000, height: 2500, data: randomBytes(3000 * 2500, 77) };
    const region = { left: 51, top: 0, width: 512, height: 512 };
    const a = resizeLanczos(img, 614, 512, region, simdPasses(scalarPasses)!);
    const b = resizeLanczos(img, 614, 512, region, scalarPasses);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  }, 60_000);
});

/** Hard 0/255 edges: the lobes overshoot, so the clipping of both passes is exercised. */
function barsData(width: number, height: number, period: number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (Math.floor(x / period) + Math.floor(y / (period + 1))) & 1 ? 255 : 0;
  return data;
}
