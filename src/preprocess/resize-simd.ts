import type { Taps } from './resize-lanczos';
import { RESIZE_SIMD_WASM_BASE64 } from './resize-simd.wasm';

/*
 * The WebAssembly SIMD passes of the LANCZOS resize (resize-simd.wat). Same inputs and the same
 * bits out as the scalar passes in resize-lanczos.ts; where WebAssembly SIMD is missing (or the
 * module cannot be compiled) `simdPasses` returns null and the scalar ones run.
 */

export interface ResizePasses {
  readonly name: 'wasm-simd' | 'scalar';
  /** `rows` rows of `src` from `firstRow` on, each resized to `taps.start.length` samples. */
  horizontal(src: Uint8Array, inW: number, firstRow: number, rows: number, taps: Taps): Uint8Array;
  /** Columns [left, left + width) of `src` (rows `stride` apart, first row = input row `rowOffset`). */
  vertical(src: Uint8Array, stride: number, left: number, width: number, taps: Taps, rowOffset: number): Uint8Array;
}

interface Kernel {
  memory: WebAssembly.Memory;
  hpass: (src: number, inW: number, rows: number, outW: number, ksizeP: number, start: number, len: number, w: number, out: number) => void;
  vpass: (src: number, stride: number, width: number, outH: number, ksize: number, start: number, len: number, w: number, out: number) => void;
}

/** Every v128 load or store may run 15 bytes past the last byte used (see the .wat). */
const SLACK = 16;
/** Past this the memory is dropped after the call instead of kept for the next image. */
const KEEP_BYTES = 64 * 2 ** 20;

let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = Uint8Array.from(atob(RESIZE_SIMD_WASM_BASE64), (c) => c.charCodeAt(0));
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) {
      kernel = null;
    } else {
      // A module under 1 KB: synchronous compilation is allowed everywhere (Chromium refuses it on
      // the main thread only above 4 KB), so preprocessing stays a synchronous function.
      const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Kernel;
      kernel = exports;
    }
  } catch (err) {
    console.warn('WebAssembly SIMD resize unavailable; using the scalar resize', err);
    kernel = null;
  }
  return kernel;
}

/** Bump allocation of 16-byte-aligned regions in the kernel's memory. */
class Layout {
  private end = 0;
  take(bytes: number): number {
    const at = this.end;
    this.end += Math.ceil(bytes / 16) * 16;
    return at;
  }
  /** False when the memory cannot grow that far (a tab short of memory, or past `limit`). */
  ensure(k: Kernel, limit: number): boolean {
    if (this.end > limit) return false;
    const have = k.memory.buffer.byteLength;
    if (this.end <= have) return true;
    try {
      k.memory.grow(Math.ceil((this.end - have) / 65536));
      return true;
    } catch (err) {
      if (err instanceof RangeError) return false;
      throw err;
    }
  }
  get bytes(): number {
    return this.end;
  }
}

function release(layout: Layout): void {
  if (layout.bytes > KEEP_BYTES) kernel = undefined;
}

function writeTaps(k: Kernel, taps: Taps, stride: number, at: { start: number; len: number; w: number }, rowOffset = 0): void {
  const heap = new Int32Array(k.memory.buffer);
  const n = taps.start.length;
  for (let i = 0; i < n; i++) heap[(at.start >> 2) + i] = taps.start[i]! - rowOffset;
  heap.set(taps.length, at.len >> 2);
  if (stride === taps.ksize) {
    heap.set(taps.weights, at.w >> 2);
    return;
  }
  // Padded to whole 16-tap chunks: the padding must be 0 whatever the last image left there.
  heap.fill(0, at.w >> 2, (at.w >> 2) + n * stride);
  for (let i = 0; i < n; i++) heap.set(taps.weights.subarray(i * taps.ksize, (i + 1) * taps.ksize), (at.w >> 2) + i * stride);
}

const simd = (k: Kernel, fallback: ResizePasses, limit: number): ResizePasses => ({
  name: 'wasm-simd',
  horizontal(src, inW, firstRow, rows, taps) {
    const outW = taps.start.length;
    const ksizeP = Math.ceil(taps.ksize / 16) * 16;
    const layout = new Layout();
    const s = layout.take(rows * inW + SLACK);
    const at = { start: layout.take(outW * 4), len: layout.take(outW * 4), w: layout.take(outW * ksizeP * 4) };
    const out = layout.take(rows * outW);
    // An image too big for the kernel's memory is still resized, by the scalar passes.
    if (!layout.ensure(k, limit)) return fallback.horizontal(src, inW, firstRow, rows, taps);
    new Uint8Array(k.memory.buffer).set(src.subarray(firstRow * inW, (firstRow + rows) * inW), s);
    writeTaps(k, taps, ksizeP, at);
    k.hpass(s, inW, rows, outW, ksizeP, at.start, at.len, at.w, out);
    const result = new Uint8Array(k.memory.buffer, out, rows * outW).slice();
    release(layout);
    return result;
  },
  vertical(src, stride, left, width, taps, rowOffset) {
    const outH = taps.start.length;
    const layout = new Layout();
    const s = layout.take(src.length + SLACK);
    const at = { start: layout.take(outH * 4), len: layout.take(outH * 4), w: layout.take(outH * taps.ksize * 4) };
    const out = layout.take(width * outH + SLACK);
    if (!layout.ensure(k, limit)) return fallback.vertical(src, stride, left, width, taps, rowOffset);
    new Uint8Array(k.memory.buffer).set(src, s);
    writeTaps(k, taps, taps.ksize, at, rowOffset);
    k.vpass(s + left, stride, width, outH, taps.ksize, at.start, at.len, at.w, out);
    const result = new Uint8Array(k.memory.buffer, out, width * outH).slice();
    release(layout);
    return result;
  },
});

/**
 * The SIMD passes, or null where this runtime has no WebAssembly SIMD. A pass whose buffers would
 * take the kernel's memory past `memoryLimit` bytes (or past what the tab can get) runs as
 * `fallback` instead.
 */
export function simdPasses(fallback: ResizePasses, memoryLimit = 2 ** 31): ResizePasses | null {
  const k = loadKernel();
  return k ? simd(k, fallback, memoryLimit) : null;
}
