/**
 * Deterministic malformed inputs for the intake fuzz tests (src/imaging/fuzz.test.ts in Node,
 * e2e/fuzz-intake.e2e.ts in the browser): valid fixtures mutated by a fixed-seed PRNG. Each case
 * says what was done to which file, so a failure can be replayed from its index alone.
 *
 * Mutations: random byte flips (anywhere, or in the first KiB where the headers are), truncation
 * at a random offset, DICOM elements given huge / odd / undefined lengths, other or unknown
 * transfer syntax UIDs, Rows/Columns of 0, 1 or 65535, pixel data shorter than declared, broken
 * image-pixel fields (samples, bits allocated/stored, high bit, sign, planar configuration,
 * photometric interpretation, number of frames), and for PNG/JPEG broken IHDR/SOF sizes and chunk
 * or segment lengths. Pure TypeScript, no DOM and no Node APIs.
 */
import { createRng } from '../generate/sampler';

export interface FuzzFixture {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzCase {
  index: number;
  /** e.g. "dcm-rle.dcm: Rows = 65535". */
  label: string;
  /** A file name for the case (the fixture's, prefixed with the case index). */
  name: string;
  bytes: Uint8Array;
}

/** mulberry32, the sampler's seeded PRNG: the same sequence everywhere. */
export const prng = createRng;

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

// ---- DICOM element location (by scanning for a tag; enough for these fixtures) ----------------

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

interface DicomElement {
  /** Offset of the tag. */
  at: number;
  /** Offset and size of the length field. */
  lengthAt: number;
  lengthSize: 2 | 4;
  valueAt: number;
  length: number;
  littleEndian: boolean;
}

function u16(b: Uint8Array, at: number, le: boolean): number {
  return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}
function u32(b: Uint8Array, at: number, le: boolean): number {
  return le ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0 : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
function put16(b: Uint8Array, at: number, v: number, le: boolean): void {
  if (le) [b[at], b[at + 1]] = [v & 0xff, (v >> 8) & 0xff];
  else [b[at], b[at + 1]] = [(v >> 8) & 0xff, v & 0xff];
}
function put32(b: Uint8Array, at: number, v: number, le: boolean): void {
  for (let i = 0; i < 4; i++) b[at + (le ? i : 3 - i)] = (v >>> (8 * i)) & 0xff;
}

/** The first occurrence of a tag (group, element) that parses as an element header. */
export function findElement(b: Uint8Array, group: number, element: number): DicomElement | null {
  for (const le of [true, false]) {
    for (let at = 0; at + 8 <= b.length; at++) {
      if (u16(b, at, le) !== group || u16(b, at + 2, le) !== element) continue;
      const vr = String.fromCharCode(b[at + 4]!, b[at + 5]!);
      if (/^[A-Z]{2}$/.test(vr)) {
        if (LONG_VRS.has(vr)) {
          if (at + 12 > b.length) continue;
          return { at, lengthAt: at + 8, lengthSize: 4, valueAt: at + 12, length: u32(b, at + 8, le), littleEndian: le };
        }
        return { at, lengthAt: at + 6, lengthSize: 2, valueAt: at + 8, length: u16(b, at + 6, le), littleEndian: le };
      }
      return { at, lengthAt: at + 4, lengthSize: 4, valueAt: at + 8, length: u32(b, at + 4, le), littleEndian: le };
    }
  }
  return null;
}

/** Replaces an element's value (padded to even length) and its length field. */
function replaceValue(b: Uint8Array, el: DicomElement, value: Uint8Array): Uint8Array {
  const padded = value.length % 2 ? Uint8Array.of(...value, 0x20) : value;
  const end = Math.min(b.length, el.valueAt + el.length);
  const out = new Uint8Array(el.valueAt + padded.length + (b.length - end));
  out.set(b.subarray(0, el.valueAt));
  out.set(padded, el.valueAt);
  out.set(b.subarray(end), el.valueAt + padded.length);
  if (el.lengthSize === 2) put16(out, el.lengthAt, padded.length, el.littleEndian);
  else put32(out, el.lengthAt, padded.length, el.littleEndian);
  return out;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

const UIDS = [
  '1.2.840.10008.1.2', // implicit LE
  '1.2.840.10008.1.2.1', // explicit LE
  '1.2.840.10008.1.2.1.99', // deflated
  '1.2.840.10008.1.2.2', // explicit BE
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.203',
  '1.2.840.10008.1.2.5', // RLE
  '1.2.840.10008.1.2.4.100', // MPEG2: unsupported
  '1.2.3.4.5.6.7',
  '',
  'not a uid at all',
];
const INTERESTING_US = [0, 1, 2, 3, 4, 7, 8, 9, 12, 15, 16, 17, 24, 32, 64, 255, 256, 32767, 32768, 65535];
const PHOTOMETRIC = ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'PALETTE COLOR', 'CMYK', 'XYZ', ''];
const FRAMES = ['0', '-1', '2', '99999', 'abc', '1e9', ''];
const HUGE_LENGTHS = [0xffffffff, 0xfffffff0, 0x7fffffff, 0x10000000, 1, 3];
const PIXEL_FIELDS: [number, string][] = [
  [0x0002, 'Samples per Pixel'],
  [0x0100, 'Bits Allocated'],
  [0x0101, 'Bits Stored'],
  [0x0102, 'High Bit'],
  [0x0103, 'Pixel Representation'],
  [0x0006, 'Planar Configuration'],
];
const LENGTH_TAGS: [number, number][] = [
  [0x0002, 0x0010],
  [0x0008, 0x0060],
  [0x0010, 0x0010],
  [0x0028, 0x0004],
  [0x0028, 0x0010],
  [0x0028, 0x1050],
  [0x0028, 0x3010],
  [0x7fe0, 0x0010],
];

type Mutation = (r: Rand, b: Uint8Array) => [string, Uint8Array] | null;

const flip =
  (limit: number | null): Mutation =>
  (r, b) => {
    const out = b.slice();
    const n = 1 + int(r, 8);
    const span = limit === null ? out.length : Math.min(out.length, limit);
    for (let i = 0; i < n; i++) out[int(r, span)] = int(r, 256);
    return [`${n} random byte(s) in the first ${span} bytes`, out];
  };

const truncate: Mutation = (r, b) => {
  const at = int(r, b.length);
  return [`truncated at ${at} of ${b.length} bytes`, b.slice(0, at)];
};

const dicomMutations: Mutation[] = [
  flip(null),
  flip(1024),
  truncate,
  (r, b) => {
    const [g, e] = pick(r, LENGTH_TAGS);
    const el = findElement(b, g, e);
    if (!el) return null;
    const out = b.slice();
    const len = pick(r, HUGE_LENGTHS);
    if (el.lengthSize === 2) put16(out, el.lengthAt, len & 0xffff, el.littleEndian);
    else put32(out, el.lengthAt, len, el.littleEndian);
    return [`(${hex(g)},${hex(e)}) length = 0x${(el.lengthSize === 2 ? len & 0xffff : len).toString(16)}`, out];
  },
  (r, b) => {
    const el = findElement(b, 0x0002, 0x0010);
    const uid = pick(r, UIDS);
    return el ? [`transfer syntax = "${uid}"`, replaceValue(b, el, ascii(uid))] : null;
  },
  (r, b) => {
    const which = r() < 0.5 ? 0x0010 : 0x0011;
    const el = findElement(b, 0x0028, which);
    if (!el || el.length !== 2) return null;
    const v = pick(r, [0, 1, 65535, 65535, int(r, 65536)]);
    const out = b.slice();
    put16(out, el.valueAt, v, el.littleEndian);
    return [`${which === 0x0010 ? 'Rows' : 'Columns'} = ${v}`, out];
  },
  (r, b) => {
    const el = findElement(b, 0x7fe0, 0x0010);
    if (!el || el.length === 0xffffffff || el.valueAt >= b.length) return null;
    if (r() < 0.5) {
      const at = el.valueAt + int(r, Math.max(1, Math.min(el.length, b.length - el.valueAt)));
      return [`pixel data cut at ${at - el.valueAt} of ${el.length} declared bytes`, b.slice(0, at)];
    }
    const out = b.slice();
    const len = (el.length + 2 + 2 * int(r, 1 << 20)) >>> 0;
    put32(out, el.lengthAt, len, el.littleEndian);
    return [`pixel data declared ${len} bytes, ${b.length - el.valueAt} present`, out];
  },
  (r, b) => {
    const [e, label] = pick(r, PIXEL_FIELDS);
    const el = findElement(b, 0x0028, e);
    if (!el || el.length !== 2) return null;
    const v = pick(r, INTERESTING_US);
    const out = b.slice();
    put16(out, el.valueAt, v, el.littleEndian);
    return [`${label} = ${v}`, out];
  },
  (r, b) => {
    const el = findElement(b, 0x0028, 0x0004);
    const p = pick(r, PHOTOMETRIC);
    return el ? [`Photometric Interpretation = "${p}"`, replaceValue(b, el, ascii(p))] : null;
  },
  (r, b) => {
    const el = findElement(b, 0x0028, 0x0008);
    const f = pick(r, FRAMES);
    return el ? [`Number of Frames = "${f}"`, replaceValue(b, el, ascii(f))] : null;
  },
];

const hex = (n: number) => n.toString(16).padStart(4, '0').toUpperCase();

const pngMutations: Mutation[] = [
  flip(null),
  flip(64),
  truncate,
  (r, b) => {
    // IHDR width/height (bytes 16..23); the CRC no longer matches, which decoders must report too.
    const out = b.slice();
    const v = pick(r, [0, 1, 65535, 0x7fffffff, 0xffffffff, 100_000]);
    const at = r() < 0.5 ? 16 : 20;
    put32(out, at, v, false);
    return [`IHDR ${at === 16 ? 'width' : 'height'} = ${v}`, out];
  },
  (r, b) => {
    const out = b.slice();
    const field = pick(r, [24, 25, 26, 27, 28]); // bit depth, colour type, compression, filter, interlace
    out[field] = pick(r, [0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 255]);
    return [`IHDR byte ${field} = ${out[field]}`, out];
  },
  (r, b) => {
    // A chunk length after IHDR (offset 33 is the second chunk's length).
    const out = b.slice();
    put32(out, 33, pick(r, HUGE_LENGTHS), false);
    return ['second chunk length huge', out];
  },
];

const jpegMutations: Mutation[] = [
  flip(null),
  flip(512),
  truncate,
  (r, b) => {
    // Start-of-frame height/width.
    for (let i = 2; i + 9 < b.length; i++) {
      if (b[i] === 0xff && b[i + 1]! >= 0xc0 && b[i + 1]! <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(b[i + 1]!)) {
        const out = b.slice();
        const v = pick(r, [0, 1, 65535, int(r, 65536)]);
        put16(out, i + (r() < 0.5 ? 5 : 7), v, false);
        return [`SOF${b[i + 1]! - 0xc0} size field = ${v}`, out];
      }
    }
    return null;
  },
  (r, b) => {
    // Some segment's length.
    const starts: number[] = [];
    for (let i = 2; i + 4 < b.length; i++) if (b[i] === 0xff && b[i + 1]! >= 0xc0 && b[i + 1]! <= 0xfe && b[i + 1] !== 0xd8 && !(b[i + 1]! >= 0xd0 && b[i + 1]! <= 0xd7)) starts.push(i);
    if (!starts.length) return null;
    const at = pick(r, starts);
    const out = b.slice();
    put16(out, at + 2, pick(r, [0, 1, 2, 0xffff, int(r, 65536)]), false);
    return [`segment FF${b[at + 1]!.toString(16).toUpperCase()} at ${at}: length changed`, out];
  },
];

function mutationsFor(name: string): Mutation[] {
  if (/\.png$/i.test(name)) return pngMutations;
  if (/\.jpe?g$/i.test(name)) return jpegMutations;
  return dicomMutations;
}

/**
 * `count` cases from the fixtures, the same for a given seed. About one in five gets a second
 * mutation on top of the first.
 */
export function fuzzCases(fixtures: FuzzFixture[], count: number, seed = 20261128): FuzzCase[] {
  if (!fixtures.length) throw new Error('no fixtures to fuzz');
  const r = prng(seed);
  const cases: FuzzCase[] = [];
  for (let index = 0; index < count; index++) {
    const fixture = fixtures[index % fixtures.length]!;
    const muts = mutationsFor(fixture.name);
    let bytes = fixture.bytes;
    const labels: string[] = [];
    const rounds = r() < 0.2 ? 2 : 1;
    for (let k = 0; k < rounds; k++) {
      let done: [string, Uint8Array] | null = null;
      for (let tries = 0; !done && tries < 4; tries++) done = pick(r, muts)(r, bytes);
      done ??= flip(null)(r, bytes)!;
      labels.push(done[0]);
      bytes = done[1];
    }
    cases.push({ index, label: `${fixture.name}: ${labels.join(' + ')}`, name: `fuzz-${index}-${fixture.name}`, bytes });
  }
  return cases;
}
