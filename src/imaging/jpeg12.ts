import type { CodecOutput } from './wasm-codecs';

/**
 * 12-bit sequential DCT JPEG (DICOM JPEG Extended, Process 4), Huffman coded, as written by
 * dcmtk and most modalities. The codec build wado-image-loader uses is 8-bit only (it carries
 * a separate JavaScript decoder for this case that is not packaged on its own), so this file
 * decodes it. The IDCT is libjpeg's "islow" (jidctint.c, CONST_BITS 13, PASS1_BITS 1 for 12-bit
 * samples) in exact integer arithmetic, so the pixels equal IJG/dcmtk's on every sample.
 * Greyscale (or unsubsampled multi-component) only; progressive and arithmetic coding are not.
 */

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksX: number;
  blocksY: number;
  coeffs: Int32Array;
  pred: number;
  dcTable: number;
  acTable: number;
}

interface Huffman {
  /** code length -> (first code, first index); values in order. */
  maxCode: Int32Array;
  valPtr: Int32Array;
  minCode: Int32Array;
  values: Uint8Array;
}

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29,
  22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxCode = new Int32Array(18).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    valPtr[len] = k;
    minCode[len] = code;
    code += counts[len - 1]!;
    k += counts[len - 1]!;
    maxCode[len] = counts[len - 1] ? code - 1 : -1;
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { maxCode, valPtr, minCode, values };
}

class BitReader {
  private bits = 0;
  private count = 0;
  /** Set when a marker (other than stuffing) is reached: the scan's data has ended. */
  marker = 0;
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
  ) {}

  private fill(): void {
    while (this.count <= 24) {
      let byte = 0;
      if (!this.marker && this.pos < this.data.length) {
        byte = this.data[this.pos++]!;
        if (byte === 0xff) {
          const next = this.data[this.pos]!;
          if (next === 0) this.pos++;
          else {
            this.marker = next;
            this.pos--;
            byte = 0;
          }
        }
      } else if (!this.marker) {
        throw new Error('JPEG data ends early');
      }
      this.bits = ((this.bits << 8) | byte) >>> 0;
      this.count += 8;
    }
  }

  bit(): number {
    if (this.count === 0) this.fill();
    this.count--;
    return (this.bits >>> this.count) & 1;
  }

  receive(n: number): number {
    if (n === 0) return 0;
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.bits >>> this.count) & ((1 << n) - 1);
  }

  /** Skips to the next RSTn marker and resets the bit buffer. */
  restart(): void {
    this.bits = 0;
    this.count = 0;
    if (!this.marker) {
      while (this.pos + 1 < this.data.length && !(this.data[this.pos] === 0xff && this.data[this.pos + 1]! >= 0xd0 && this.data[this.pos + 1]! <= 0xd7)) this.pos++;
    }
    if (this.data[this.pos] === 0xff && this.data[this.pos + 1]! >= 0xd0 && this.data[this.pos + 1]! <= 0xd7) this.pos += 2;
    this.marker = 0;
  }
}

function decodeHuffman(r: BitReader, t: Huffman): number {
  let code = r.bit();
  let len = 1;
  while (code > t.maxCode[len]!) {
    code = (code << 1) | r.bit();
    if (++len > 16) throw new Error('bad Huffman code in JPEG data');
  }
  return t.values[t.valPtr[len]! + code - t.minCode[len]!]!;
}

function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

// jidctint.c constants (CONST_BITS = 13).
const F0_298 = 2446, F0_390 = 3196, F0_541 = 4433, F0_765 = 6270, F0_899 = 7373, F1_175 = 9633;
const F1_501 = 12299, F1_847 = 15137, F1_961 = 16069, F2_053 = 16819, F2_562 = 20995, F3_072 = 25172;
const CONST_BITS = 13;

/** DESCALE: round, then arithmetic shift right; exact on doubles. */
function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/** libjpeg's jpeg_idct_islow on one block: coefficients (natural order) x quant -> samples. */
function idctIslow(coef: Int32Array, off: number, q: Uint16Array, out: Uint16Array, outOff: number, stride: number, precision: number): void {
  const pass1 = precision === 8 ? 2 : 1;
  const center = 1 << (precision - 1);
  const max = (1 << precision) - 1;
  const ws = new Float64Array(64);
  for (let c = 0; c < 8; c++) {
    const d = (k: number) => coef[off + 8 * k + c]! * q[8 * k + c]!;
    if (!coef[off + 8 + c] && !coef[off + 16 + c] && !coef[off + 24 + c] && !coef[off + 32 + c] && !coef[off + 40 + c] && !coef[off + 48 + c] && !coef[off + 56 + c]) {
      const dc = d(0) * 2 ** pass1;
      for (let k = 0; k < 8; k++) ws[8 * k + c] = dc;
      continue;
    }
    let z2 = d(2), z3 = d(6);
    let z1 = (z2 + z3) * F0_541;
    let tmp2 = z1 + z3 * -F1_847;
    let tmp3 = z1 + z2 * F0_765;
    z2 = d(0);
    z3 = d(4);
    let tmp0 = (z2 + z3) * 2 ** CONST_BITS;
    let tmp1 = (z2 - z3) * 2 ** CONST_BITS;
    const t10 = tmp0 + tmp3, t13 = tmp0 - tmp3, t11 = tmp1 + tmp2, t12 = tmp1 - tmp2;
    tmp0 = d(7);
    tmp1 = d(5);
    tmp2 = d(3);
    tmp3 = d(1);
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1_175;
    tmp0 *= F0_298;
    tmp1 *= F2_053;
    tmp2 *= F3_072;
    tmp3 *= F1_501;
    z1 *= -F0_899;
    z2 *= -F2_562;
    z3 = z3 * -F1_961 + z5;
    z4 = z4 * -F0_390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    const n = CONST_BITS - pass1;
    ws[c] = descale(t10 + tmp3, n);
    ws[56 + c] = descale(t10 - tmp3, n);
    ws[8 + c] = descale(t11 + tmp2, n);
    ws[48 + c] = descale(t11 - tmp2, n);
    ws[16 + c] = descale(t12 + tmp1, n);
    ws[40 + c] = descale(t12 - tmp1, n);
    ws[24 + c] = descale(t13 + tmp0, n);
    ws[32 + c] = descale(t13 - tmp0, n);
  }
  const n = CONST_BITS + pass1 + 3;
  const put = (row: number, col: number, v: number) => {
    const s = descale(v, n) + center;
    out[outOff + row * stride + col] = s < 0 ? 0 : s > max ? max : s;
  };
  for (let row = 0; row < 8; row++) {
    const w = (k: number) => ws[8 * row + k]!;
    let z2 = w(2), z3 = w(6);
    let z1 = (z2 + z3) * F0_541;
    let tmp2 = z1 + z3 * -F1_847;
    let tmp3 = z1 + z2 * F0_765;
    let tmp0 = (w(0) + w(4)) * 2 ** CONST_BITS;
    let tmp1 = (w(0) - w(4)) * 2 ** CONST_BITS;
    const t10 = tmp0 + tmp3, t13 = tmp0 - tmp3, t11 = tmp1 + tmp2, t12 = tmp1 - tmp2;
    tmp0 = w(7);
    tmp1 = w(5);
    tmp2 = w(3);
    tmp3 = w(1);
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1_175;
    tmp0 *= F0_298;
    tmp1 *= F2_053;
    tmp2 *= F3_072;
    tmp3 *= F1_501;
    z1 *= -F0_899;
    z2 *= -F2_562;
    z3 = z3 * -F1_961 + z5;
    z4 = z4 * -F0_390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    put(row, 0, t10 + tmp3);
    put(row, 7, t10 - tmp3);
    put(row, 1, t11 + tmp2);
    put(row, 6, t11 - tmp2);
    put(row, 2, t12 + tmp1);
    put(row, 5, t12 - tmp1);
    put(row, 3, t13 + tmp0);
    put(row, 4, t13 - tmp0);
  }
}

export async function decodeJpeg12(data: Uint8Array): Promise<CodecOutput> {
  const quant: Uint16Array[] = [];
  const dcTables: Huffman[] = [];
  const acTables: Huffman[] = [];
  let frame: { precision: number; width: number; height: number; components: Component[]; hmax: number; vmax: number } | null = null;
  let restartInterval = 0;
  let pos = 2;
  const u16 = (p: number) => (data[p]! << 8) | data[p + 1]!;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) throw new Error('JPEG marker expected');
    const marker = data[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xd9) break;
    const len = u16(pos + 2);
    const seg = pos + 4;
    const end = pos + 2 + len;
    if (end > data.length) throw new Error('JPEG data ends early');
    if (marker === 0xdb) {
      for (let p = seg; p < end; ) {
        const pq = data[p]! >> 4;
        const tq = data[p]! & 15;
        const table = new Uint16Array(64);
        for (let k = 0; k < 64; k++) table[ZIGZAG[k]!] = pq ? u16(p + 1 + 2 * k) : data[p + 1 + k]!;
        quant[tq] = table;
        p += 1 + 64 * (pq ? 2 : 1);
      }
    } else if (marker === 0xc4) {
      for (let p = seg; p < end; ) {
        const tc = data[p]! >> 4;
        const th = data[p]! & 15;
        const counts = data.subarray(p + 1, p + 17);
        const total = counts.reduce((a, b) => a + b, 0);
        const table = buildHuffman(counts, data.slice(p + 17, p + 17 + total));
        (tc ? acTables : dcTables)[th] = table;
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = u16(seg);
    } else if (marker === 0xc0 || marker === 0xc1) {
      const n = data[seg + 5]!;
      const components: Component[] = [];
      for (let i = 0; i < n; i++) {
        const p = seg + 6 + 3 * i;
        components.push({ id: data[p]!, h: data[p + 1]! >> 4, v: data[p + 1]! & 15, tq: data[p + 2]!, blocksX: 0, blocksY: 0, coeffs: new Int32Array(0), pred: 0, dcTable: 0, acTable: 0 });
      }
      const hmax = Math.max(...components.map((c) => c.h));
      const vmax = Math.max(...components.map((c) => c.v));
      const width = u16(seg + 3);
      const height = u16(seg + 1);
      const mcusX = Math.ceil(width / (8 * hmax));
      const mcusY = Math.ceil(height / (8 * vmax));
      for (const c of components) {
        c.blocksX = mcusX * c.h;
        c.blocksY = mcusY * c.v;
        c.coeffs = new Int32Array(c.blocksX * c.blocksY * 64);
      }
      frame = { precision: data[seg]!, width, height, components, hmax, vmax };
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`JPEG process SOF${marker - 0xc0} is not supported for 12-bit data`);
    } else if (marker === 0xda) {
      if (!frame) throw new Error('JPEG scan before frame header');
      const ns = data[seg]!;
      const scan: Component[] = [];
      for (let i = 0; i < ns; i++) {
        const c = frame.components.find((x) => x.id === data[seg + 1 + 2 * i]);
        if (!c) throw new Error('JPEG scan names an unknown component');
        c.dcTable = data[seg + 2 + 2 * i]! >> 4;
        c.acTable = data[seg + 2 + 2 * i]! & 15;
        c.pred = 0;
        scan.push(c);
      }
      pos = decodeScan(data, end, frame, scan, dcTables, acTables, restartInterval);
      continue;
    }
    pos = end;
  }
  if (!frame) throw new Error('no JPEG frame header');
  const { width, height, components, precision } = frame;
  if (components.some((c) => c.h !== frame!.hmax || c.v !== frame!.vmax)) throw new Error('subsampled 12-bit JPEG is not supported');
  const planes = components.map((c) => {
    const q = quant[c.tq];
    if (!q) throw new Error('JPEG quantisation table missing');
    const stride = c.blocksX * 8;
    const plane = new Uint16Array(stride * c.blocksY * 8);
    for (let by = 0; by < c.blocksY; by++) {
      for (let bx = 0; bx < c.blocksX; bx++) idctIslow(c.coeffs, (by * c.blocksX + bx) * 64, q, plane, by * 8 * stride + bx * 8, stride, precision);
    }
    return { plane, stride };
  });
  const n = components.length;
  const bytes = new Uint8Array(width * height * n * 2);
  const view = new DataView(bytes.buffer);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < n; k++) view.setUint16(2 * ((y * width + x) * n + k), planes[k]!.plane[y * planes[k]!.stride + x]!, true);
    }
  }
  return { width, height, bitsPerSample: precision, components: n, signed: false, bytes };
}

function decodeScan(
  data: Uint8Array,
  start: number,
  frame: { width: number; height: number; components: Component[]; hmax: number; vmax: number },
  scan: Component[],
  dcTables: Huffman[],
  acTables: Huffman[],
  restartInterval: number,
): number {
  const r = new BitReader(data, start);
  const decodeBlock = (c: Component, offset: number) => {
    const dc = dcTables[c.dcTable];
    const ac = acTables[c.acTable];
    if (!dc || !ac) throw new Error('JPEG Huffman table missing');
    const t = decodeHuffman(r, dc);
    c.pred += t ? extend(r.receive(t), t) : 0;
    c.coeffs[offset] = c.pred;
    for (let k = 1; k < 64; ) {
      const rs = decodeHuffman(r, ac);
      const s = rs & 15;
      const run = rs >> 4;
      if (!s) {
        if (run !== 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) throw new Error('bad JPEG AC run');
      c.coeffs[offset + ZIGZAG[k]!] = extend(r.receive(s), s);
      k++;
    }
  };
  let units: number;
  let unit: (i: number) => void;
  if (scan.length === 1) {
    const c = scan[0]!;
    // Non-interleaved: the component's own blocks, cropped to its size.
    const bw = Math.ceil(Math.ceil((frame.width * c.h) / frame.hmax) / 8);
    const bh = Math.ceil(Math.ceil((frame.height * c.v) / frame.vmax) / 8);
    units = bw * bh;
    unit = (i) => decodeBlock(c, ((Math.floor(i / bw) * c.blocksX) + (i % bw)) * 64);
  } else {
    const mcusX = Math.ceil(frame.width / (8 * frame.hmax));
    units = mcusX * Math.ceil(frame.height / (8 * frame.vmax));
    unit = (i) => {
      const mx = i % mcusX;
      const my = Math.floor(i / mcusX);
      for (const c of scan) {
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) decodeBlock(c, ((my * c.v + v) * c.blocksX + mx * c.h + h) * 64);
        }
      }
    };
  }
  for (let i = 0; i < units; i++) {
    if (restartInterval && i > 0 && i % restartInterval === 0) {
      r.restart();
      for (const c of scan) c.pred = 0;
    }
    unit(i);
  }
  // Find the marker that ends the scan.
  let p = r.pos;
  while (p + 1 < data.length && !(data[p] === 0xff && data[p + 1] !== 0 && !(data[p + 1]! >= 0xd0 && data[p + 1]! <= 0xd7))) p++;
  return p;
}
