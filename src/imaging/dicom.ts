import { inflateSync } from 'fflate';
import { Decoder as LosslessDecoder } from 'jpeg-lossless-decoder-js';
import { dicomParser, type DataSet, type Element } from './dicom-parser-interop';
import { checkSize, ImagingError } from './errors';
import type { DecodedFrame, FrameDecoder, FrameRequest } from './frame-decoder';
import { decodeJpegFrame, readJpegFrameInfo } from './jpeg';
import { clampStored, colourToGrey, maskStored, minMax, planarToInterleaved, words, ybrFullToRgb } from './pixels';
import { parsePatientOrientation } from './orientation';
import { measureSpacing } from './pixel-spacing';
import { decodeRle } from './rle';
import { syntaxName, TRANSFER_SYNTAXES, type PixelCodec } from './transfer-syntax';
import type { DecodedImage, StoredPixels, VoiLut, WindowPreset } from './types';
import type { WasmDecode } from './wasm-codecs';
import { metaFields, str } from './dicom-meta';

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const DICM = [0x44, 0x49, 0x43, 0x4d];

/** How a DICOM byte stream starts, which decides how it is handed to dicom-parser. */
export type DicomLayout = 'part10' | 'dicm-at-0' | 'meta-no-preamble' | 'dataset-implicit' | 'dataset-explicit';

function hasAt(bytes: Uint8Array, at: number, sig: number[]): boolean {
  return bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
}

/** Recognises Part 10 files and the usual preamble-less variants; null when it is not DICOM. */
export function sniffDicom(bytes: Uint8Array): DicomLayout | null {
  if (hasAt(bytes, 128, DICM)) return 'part10';
  if (hasAt(bytes, 0, DICM)) return 'dicm-at-0';
  if (bytes.length < 8) return null;
  const group = bytes[0]! | (bytes[1]! << 8);
  const element = bytes[2]! | (bytes[3]! << 8);
  // A bare data set starts with a low group (0002 meta, 0008 identification, ...) and element.
  if (!(group === 0x0002 || group === 0x0008 || group === 0x0010 || group === 0x0018 || group === 0x0020 || group === 0x0028)) return null;
  if (element > 0x0200) return null;
  const vr = String.fromCharCode(bytes[4]!, bytes[5]!);
  const explicit = /^(AE|AS|AT|CS|DA|DS|DT|FL|FD|IS|LO|LT|OB|OD|OF|OL|OV|OW|PN|SH|SL|SQ|SS|ST|SV|TM|UC|UI|UL|UN|UR|US|UT|UV)$/.test(vr);
  if (group === 0x0002) return explicit ? 'meta-no-preamble' : null;
  return explicit ? 'dataset-explicit' : 'dataset-implicit';
}

function parse(bytes: Uint8Array, layout: DicomLayout, name: string): DataSet {
  let input = bytes;
  const options: Parameters<typeof dicomParser.parseDicom>[1] = {
    // Deflated data sets: fflate works the same in Node and in a worker.
    inflater: ((arr: Uint8Array, position: number) => {
      const inflated = inflateSync(arr.subarray(position));
      const full = new Uint8Array(position + inflated.length);
      full.set(arr.subarray(0, position));
      full.set(inflated, position);
      return full;
    }) as unknown as (arr: Uint8Array, position: number) => void,
  };
  if (layout === 'dicm-at-0' || layout === 'meta-no-preamble') {
    const pad = layout === 'dicm-at-0' ? 128 : 132;
    input = new Uint8Array(pad + bytes.length);
    input.set(DICM, 128);
    input.set(bytes, pad);
  } else if (layout === 'dataset-implicit' || layout === 'dataset-explicit') {
    options.TransferSyntaxUID = layout === 'dataset-implicit' ? IMPLICIT_LE : EXPLICIT_LE;
  }
  try {
    return dicomParser.parseDicom(input, options);
  } catch (err) {
    throw parserError(err, name, `${name} could not be read as DICOM`);
  }
}

/** dicom-parser's exceptions (often plain strings) as an ImagingError. */
function parserError(err: unknown, name: string, what: string): ImagingError {
  const inner = (err as { exception?: unknown })?.exception ?? err;
  const message = inner instanceof Error ? inner.message : String(inner);
  if (/past end of buffer|buffer overread|overrun|unexpected EOF|end of (the )?(buffer|file)/i.test(message)) {
    return new ImagingError('truncated', `${name} is cut short (truncated DICOM file): ${message}`);
  }
  return new ImagingError('not-an-image', `${what}: ${message}`);
}

function num(ds: DataSet, tag: string, index?: number): number | undefined {
  const v = parseFloat(str(ds, tag, index ?? 0));
  return Number.isNaN(v) ? undefined : v;
}

/** A two-valued positive spacing ([row, column] mm), or undefined when absent or unusable. */
function pair(ds: DataSet, tag: string): [number, number] | undefined {
  const r = num(ds, tag, 0);
  const c = num(ds, tag, 1);
  return r !== undefined && c !== undefined && r > 0 && c > 0 && Number.isFinite(r) && Number.isFinite(c) ? [r, c] : undefined;
}

function readWindows(ds: DataSet): WindowPreset[] {
  const n = Math.min(ds.numStringValues('x00281050') ?? 0, ds.numStringValues('x00281051') ?? 0);
  const out: WindowPreset[] = [];
  for (let i = 0; i < n; i++) {
    const center = num(ds, 'x00281050', i);
    const width = num(ds, 'x00281051', i);
    // A width below 1 is invalid (PS3.3 C.11.2.1.2): such a pair is skipped.
    if (center === undefined || width === undefined || !(width >= 1)) continue;
    out.push({ center, width, label: str(ds, 'x00281055', i) || `Window ${i + 1} from file` });
  }
  return out;
}

function readVoiLut(ds: DataSet, signed: boolean): VoiLut | null {
  const item = ds.elements.x00283010?.items?.[0]?.dataSet;
  if (!item) return null;
  const desc = item.elements.x00283002;
  const data = item.elements.x00283006;
  if (!desc || !data) return null;
  const count = item.uint16('x00283002', 0) || 65536;
  const firstMapped = signed ? (item.int16('x00283002', 1) ?? 0) : (item.uint16('x00283002', 1) ?? 0);
  const bits = item.uint16('x00283002', 2) ?? 16;
  const lut = new Uint16Array(count);
  const eightBitData = data.length === count && bits <= 8;
  for (let i = 0; i < count; i++) {
    lut[i] = eightBitData ? item.byteArray[data.dataOffset + i]! : (item.uint16('x00283006', i) ?? 0);
  }
  return { firstMapped, bits, data: lut, label: str(item, 'x00283003') || 'VOI LUT from file' };
}

/** The first frame's bytes, as stored (native) or as one encoded codestream (encapsulated). */
function firstFrame(ds: DataSet, el: Element, frameBytes: number, name: string): Uint8Array {
  if (el.encapsulatedPixelData) {
    const fragments = el.fragments ?? [];
    if (!fragments.length) throw new ImagingError('truncated', `${name} has encapsulated pixel data with no fragments (truncated?).`);
    const frames = parseInt(str(ds, 'x00280008') || '1', 10) || 1;
    if (el.basicOffsetTable?.length) return dicomParser.readEncapsulatedImageFrame(ds, el, 0);
    if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length);
    if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, 1);
    return dicomParser.readEncapsulatedImageFrame(ds, el, 0, dicomParser.createJPEGBasicOffsetTable(ds, el));
  }
  const available = Math.min(el.length, ds.byteArray.length - el.dataOffset);
  if (available < frameBytes) {
    throw new ImagingError('truncated', `${name} is cut short (truncated): the first frame needs ${frameBytes} bytes of pixel data, the file has ${Math.max(0, available)}.`);
  }
  return new Uint8Array(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, frameBytes);
}

const COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT', 'YBR_PARTIAL_420']);

/** Decodes a DICOM file's first frame (the caller has sniffed the layout). */
export async function decodeDicom(bytes: Uint8Array, layout: DicomLayout, name: string, wasm: WasmDecode, frameDecoder?: FrameDecoder): Promise<DecodedImage> {
  try {
    return await decodeDataSet(parse(bytes, layout, name), layout, name, wasm, frameDecoder);
  } catch (err) {
    // dicom-parser's accessors throw strings, e.g. for an element declared longer than the file.
    if (typeof err === 'string') throw parserError(err, name, `${name} has a DICOM element that cannot be read`);
    throw err;
  }
}

async function decodeDataSet(ds: DataSet, layout: DicomLayout, name: string, wasm: WasmDecode, frameDecoder: FrameDecoder | undefined): Promise<DecodedImage> {
  const ts = str(ds, 'x00020010') || (layout === 'dataset-explicit' ? EXPLICIT_LE : IMPLICIT_LE);
  const el = ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
  const what = `${name} (DICOM)`;
  if (!el) {
    const modality = str(ds, 'x00080060');
    throw new ImagingError(
      'no-pixel-data',
      `${name} is a DICOM file with no image in it (no Pixel Data${modality ? `; modality ${modality}` : ''}${modality === 'SR' ? ', a structured report' : ''}).`,
    );
  }
  const rows = ds.uint16('x00280010') ?? 0;
  const cols = ds.uint16('x00280011') ?? 0;
  checkSize(cols, rows, what);
  const photometric = str(ds, 'x00280004') || 'MONOCHROME2';
  if (photometric === 'PALETTE COLOR') {
    throw new ImagingError('palette-colour', `${name} is a palette-colour DICOM image; only greyscale (and RGB/YBR colour) images can be opened.`);
  }
  const grey = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2';
  if (!grey && !COLOUR.has(photometric)) {
    throw new ImagingError('unsupported-colour', `${name} has photometric interpretation ${photometric}, which cannot be shown.`);
  }
  const samples = ds.uint16('x00280002') ?? (grey ? 1 : 3);
  // Other counts would be read as three-sample colour, out of the decoded buffer's bounds.
  if (samples !== 1 && samples !== 3) {
    throw new ImagingError('unsupported-colour', `${name} declares ${samples} samples per pixel; only 1 (greyscale) or 3 (colour) can be shown.`);
  }
  const bitsAllocated = ds.uint16('x00280100') ?? 16;
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const highBit = ds.uint16('x00280102') ?? bitsStored - 1;
  const signed = ds.uint16('x00280103') === 1;
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new ImagingError('decode-failed', `${name} has ${bitsAllocated} bits allocated per sample; only 8 and 16 are supported.`);
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw new ImagingError('decode-failed', `${name} declares ${bitsStored} bits stored in ${bitsAllocated} allocated.`);
  }
  const syntax = TRANSFER_SYNTAXES[ts];
  if (!syntax) {
    throw new ImagingError('unsupported-transfer-syntax', `${name} uses the transfer syntax ${syntaxName(ts)} (${ts}), which cannot be decoded here.`);
  }
  const frames = parseInt(str(ds, 'x00280008') || '1', 10) || 1;
  const pixels = rows * cols;
  if ((syntax.codec === 'native-le' || syntax.codec === 'native-be') && el.encapsulatedPixelData) {
    throw new ImagingError('decode-failed', `${name}: the pixel data is compressed (encapsulated), but the transfer syntax ${syntaxName(ts)} (${ts}) says it is not.`);
  }
  const frame = firstFrame(ds, el, pixels * samples * (bitsAllocated / 8), name);
  const planar = ds.uint16('x00280006') === 1;
  const request: FrameRequest = { transferSyntax: ts, rows, columns: cols, samplesPerPixel: samples, bitsAllocated, bitsStored, signed, planar, photometric };
  // Compressed frames go to the injected decoder when it takes them (the browser: wado's worker).
  const external = syntax.codec !== 'native-le' && syntax.codec !== 'native-be' && frameDecoder?.accepts(request) ? frameDecoder : null;
  const decoder = external?.name ?? builtInDecoder(syntax.codec, frame);

  // Decode to interleaved samples: `bytes` (8-bit) or a 16-bit typed array.
  let samples8: Uint8Array | null = null;
  let stored: StoredPixels;
  let outPhotometric = photometric;
  const wide = bitsAllocated > 8;
  try {
    if (external) {
      const out = checkFrame(await external.decode(frame, request), cols, rows, samples);
      // The codecs return RGB for colour JPEG baseline (libjpeg) and JPEG 2000 (MCT undone), as below.
      if (out.components === 3 && (syntax.codec === 'jpeg' || syntax.codec === 'jpeg2000')) outPhotometric = 'RGB';
      stored = toWidth(out.samples, wide, signed);
    } else switch (syntax.codec) {
      case 'native-le':
      case 'native-be': {
        if (wide) stored = maskStored(words(frame, pixels * samples, signed, syntax.codec === 'native-be'), bitsStored, highBit, signed);
        else stored = samples === 1 ? maskStored(frame.slice(), bitsStored, highBit, false) : frame.slice();
        if (samples > 1 && planar) stored = planarToInterleaved(stored as Uint8Array, pixels);
        break;
      }
      case 'rle': {
        const out = decodeRle(frame, cols, rows, samples, bitsAllocated);
        stored = wide ? words(out, pixels * samples, signed) : out;
        break;
      }
      case 'jpeg': {
        const out = await decodeJpegFrame(frame, wasm);
        if (out.width !== cols || out.height !== rows) throw new Error(`the JPEG data is ${out.width}x${out.height}, the header says ${cols}x${rows}`);
        if (out.components !== samples) throw new Error(`the JPEG data has ${out.components} components, the header says ${samples}`);
        // libjpeg converts YCbCr to RGB itself.
        if (out.components === 3) outPhotometric = 'RGB';
        stored = out.bitsPerSample > 8 ? words(out.bytes, pixels * samples, signed) : out.bytes;
        if (out.bitsPerSample > 8 || bitsAllocated > 8) stored = toWidth(stored, wide, signed);
        break;
      }
      case 'jpeg-lossless': {
        const decoder = new LosslessDecoder();
        const out = decoder.decode(frame.buffer, frame.byteOffset, frame.byteLength, wide ? 2 : 1);
        stored = wide ? (signed ? new Int16Array(out.buffer, out.byteOffset, pixels * samples) : new Uint16Array(out.buffer, out.byteOffset, pixels * samples)) : new Uint8Array(out.buffer, out.byteOffset, pixels * samples);
        break;
      }
      case 'jpeg-ls':
      case 'jpeg2000':
      case 'htj2k': {
        const codec = syntax.codec === 'jpeg-ls' ? 'charls' : syntax.codec === 'jpeg2000' ? 'openjpeg' : 'openjph';
        const out = await wasm(codec, frame);
        if (out.width !== cols || out.height !== rows) throw new Error(`the codestream is ${out.width}x${out.height}, the header says ${cols}x${rows}`);
        if (syntax.codec !== 'jpeg-ls' && out.components === 3) outPhotometric = 'RGB';
        stored = out.bitsPerSample > 8 ? words(out.bytes, pixels * out.components, signed) : out.bytes;
        stored = toWidth(stored, wide, signed);
        break;
      }
    }
  } catch (err) {
    if (err instanceof ImagingError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const short = /past end|overread|ends early|premature|truncat/i.test(message);
    throw new ImagingError(short ? 'truncated' : 'decode-failed', `${name}: the ${syntaxName(ts)} pixel data could not be decoded (${message}).`);
  }
  if (syntax.codec !== 'native-le' && syntax.codec !== 'native-be' && samples === 1) stored = clampStored(stored, bitsStored, signed);

  const notes: string[] = [];
  if (frames > 1) notes.push(`Multi-frame image: frame 1 of ${frames} is shown and used.`);
  let identity8 = false;
  let outBitsStored = bitsStored;
  let outSigned = signed;
  if (samples > 1) {
    samples8 = wide ? to8(stored, bitsStored) : (stored as Uint8Array);
    if (outPhotometric === 'YBR_FULL') samples8 = ybrFullToRgb(samples8);
    else if (outPhotometric !== 'RGB') outPhotometric = 'RGB'; // YBR_RCT/ICT are undone by the codec
    stored = colourToGrey(samples8, cols, rows, 3);
    identity8 = true;
    outBitsStored = 8;
    outSigned = false;
    notes.push(`Colour image (${photometric}) shown in grey, with PIL's convert('L') weights.`);
  }
  const slope = samples > 1 ? 1 : (num(ds, 'x00281053') ?? 1) || 1;
  const intercept = samples > 1 ? 0 : (num(ds, 'x00281052') ?? 0);
  const windows = samples > 1 ? [] : readWindows(ds);
  if (samples === 1 && (ds.numStringValues('x00281051') ?? 0) > windows.length) notes.push('Window pairs with a width below 1 were ignored.');
  if (ds.elements.x00283000) notes.push('The Modality LUT Sequence is not applied (rescale slope/intercept only).');
  const voiLut = samples > 1 ? null : readVoiLut(ds, signed);
  // An 8-bit greyscale image with no rescale and no VOI is shown as stored, like a PNG or JPEG.
  if (samples === 1 && bitsStored <= 8 && !signed && slope === 1 && intercept === 0 && !windows.length && !voiLut) identity8 = true;
  const fn = str(ds, 'x00281056').toUpperCase();
  const { min, max } = minMax(stored);
  const orientation = parsePatientOrientation(str(ds, 'x00200020'));
  const measure = measureSpacing({ pixelSpacing: pair(ds, 'x00280030'), imagerPixelSpacing: pair(ds, 'x00181164'), magnification: num(ds, 'x00181114') });
  return {
    format: 'dicom',
    width: cols,
    height: rows,
    pixels: stored,
    bitsStored: outBitsStored,
    signed: outSigned,
    minStored: min,
    maxStored: max,
    slope,
    intercept,
    windows,
    voiLut,
    voiLutFunction: fn === 'SIGMOID' || fn === 'LINEAR_EXACT' ? fn : 'LINEAR',
    invert: photometric === 'MONOCHROME1',
    photometric,
    identity8,
    frames,
    pixelSpacing: measure?.spacing ?? null,
    ...(measure ? { spacingBasis: measure.basis } : {}),
    ...(orientation ? { patientOrientation: orientation } : {}),
    meta: metaFields(ds, cols, rows, bitsStored, bitsAllocated, photometric, ts, frames, decoder),
    notes,
    decoder,
  };
}

/** What decodes a syntax's frames when no FrameDecoder takes them (the metadata panel shows it). */
function builtInDecoder(codec: PixelCodec, frame: Uint8Array): string {
  switch (codec) {
    case 'native-le':
    case 'native-be':
      return 'dicom-parser (uncompressed)';
    case 'rle':
      return 'built-in RLE (rle.ts)';
    case 'jpeg':
      return readJpegFrameInfo(frame)?.precision === 12 ? 'built-in 12-bit JPEG (jpeg12.ts)' : 'built-in libjpeg-turbo';
    case 'jpeg-lossless':
      return 'built-in jpeg-lossless-decoder-js';
    case 'jpeg-ls':
      return 'built-in CharLS';
    case 'jpeg2000':
      return 'built-in OpenJPEG';
    case 'htj2k':
      return 'built-in OpenJPH';
  }
}

/** An outside decoder's frame must have the header's size and sample count. */
function checkFrame(out: DecodedFrame, cols: number, rows: number, samples: number): DecodedFrame {
  if (out.columns !== cols || out.rows !== rows) throw new Error(`the decoded frame is ${out.columns}x${out.rows}, the header says ${cols}x${rows}`);
  if (out.components !== samples) throw new Error(`the decoded frame has ${out.components} components, the header says ${samples}`);
  if (out.samples.length !== cols * rows * samples) throw new Error(`the decoded frame has ${out.samples.length} samples, ${cols * rows * samples} expected`);
  return out;
}

/** Puts decoded samples in the container the header's Bits Allocated and sign call for. */
function toWidth(px: StoredPixels, wide: boolean, signed: boolean): StoredPixels {
  if (!wide) return px instanceof Uint8Array ? px : Uint8Array.from(px, (v) => Math.max(0, Math.min(255, v)));
  if (signed) return px instanceof Int16Array ? px : Int16Array.from(px);
  return px instanceof Uint16Array ? px : Uint16Array.from(px, (v) => Math.max(0, v));
}

function to8(px: StoredPixels, bitsStored: number): Uint8Array {
  const shift = Math.max(0, bitsStored - 8);
  return Uint8Array.from(px, (v) => v >> shift);
}
