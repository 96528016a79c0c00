import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImageFile, decodeToGray } from './decode-node';
import { defaultVoiImage, defaultVoiOf } from './default-voi';
import { ImagingError, type ImagingErrorCode } from './errors';

// Fixtures and their expected values come from e2e/fixtures/make-fixtures.sh: the values are
// computed with numpy/PIL from the source arrays, or from dcmtk/gdcm's own decompression for
// the lossy syntaxes (fixtures.py), never by this code.
const dir = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(dir + name));

interface Stats {
  min: number;
  max: number;
  mean: number;
  std: number;
  checksum: number;
}
interface Expected {
  width: number;
  height: number;
  stored: Stats;
  grey8: Stats;
}
const expected = JSON.parse(readFileSync(dir + 'expected.json', 'utf8')) as Record<string, Expected>;

function stats(px: ArrayLike<number>): Stats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let checksum = 0;
  for (let i = 0; i < px.length; i++) {
    const v = px[i]!;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    checksum += v * ((i % 251) + 1);
  }
  const mean = sum / px.length;
  let sq = 0;
  for (let i = 0; i < px.length; i++) sq += (px[i]! - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / px.length), checksum };
}

/** Exact, except the standard deviation, which is summed in another order by numpy. */
function expectStats(got: Stats, want: Stats) {
  expect({ ...got, std: 0 }).toEqual({ ...want, std: 0 });
  expect(got.std).toBeCloseTo(want.std, 6);
}

describe('decode-core in Node, on every good fixture', () => {
  // Exact everywhere: lossless data against the source arrays, lossy data against the reference
  // toolkit's decoder (IJG in dcmtk for JPEG 8/12-bit, CharLS, OpenJPEG in gdcm), which the
  // same algorithms reproduce bit for bit.
  for (const [name, exp] of Object.entries(expected)) {
    it(`${name}: stored values and the default-VOI 8-bit image`, async () => {
      const img = await decodeImageFile(read(name), name);
      expect([img.width, img.height]).toEqual([exp.width, exp.height]);
      expectStats(stats(img.pixels), exp.stored);
      expectStats(stats(defaultVoiImage(img).data), exp.grey8);
    });
  }
});

describe('what the decoder reports', () => {
  it('reads rescale, every window pair, and the metadata of a 16-bit MONOCHROME2 file', async () => {
    const img = await decodeImageFile(read('dcm-mono2-explicit.dcm'), 'x.dcm');
    expect(img).toMatchObject({ slope: 2, intercept: -1024, bitsStored: 12, invert: false, frames: 1, pixelSpacing: [0.139, 0.139] });
    expect(img.windows).toEqual([
      { center: 3000, width: 6000, label: 'DEFAULT' },
      { center: 2000, width: 3000, label: 'NARROW' },
    ]);
    const meta = Object.fromEntries(img.meta.map((m) => [m.key, m]));
    expect(meta.transferSyntax!.value).toBe('Explicit VR Little Endian (1.2.840.10008.1.2.1)');
    expect(meta.modality!.value).toBe('DX');
    expect(meta.viewPosition!.value).toBe('PA');
    expect(meta.studyDate!.value).toBe('2024-01-31');
    expect(meta.patientName).toMatchObject({ value: 'Test Patient 1', identifying: true });
    expect(meta.institution).toMatchObject({ value: 'Example Hospital', identifying: true });
    expect(meta.modality!.identifying).toBe(false);
  });

  it('inverts MONOCHROME1 and windows it over the full range when it has no window', async () => {
    const img = await decodeImageFile(read('dcm-mono1.dcm'), 'x.dcm');
    expect(img.invert).toBe(true);
    expect(defaultVoiOf(img)).toMatchObject({ kind: 'window', source: 'full-range' });
  });

  it('shows the first frame of a multi-frame file and says so', async () => {
    const img = await decodeImageFile(read('dcm-multiframe.dcm'), 'x.dcm');
    expect(img.frames).toBe(3);
    expect(img.notes.join(' ')).toMatch(/frame 1 of 3/);
  });

  it('clamps lossy JPEG 2000 to Bits Stored (the codestream overshoots 4095)', async () => {
    const img = await decodeImageFile(read('dcm-j2k-lossy.dcm'), 'x.dcm');
    expect(img.maxStored).toBe(4095);
    expect(img.bitsStored).toBe(12);
  });

  it('opens DICOM without the preamble, and without preamble and "DICM"', async () => {
    const full = read('dcm-mono2-explicit.dcm');
    const want = stats((await decodeImageFile(full, 'a.dcm')).pixels);
    expect(stats((await decodeImageFile(full.subarray(128), 'b.dcm')).pixels)).toEqual(want);
    expect(stats((await decodeImageFile(full.subarray(132), 'c.dcm')).pixels)).toEqual(want);
  });

  it('keeps 16 bits of a 16-bit PNG', async () => {
    const img = await decodeImageFile(read('gray16.png'), 'x.png');
    expect(img.pixels).toBeInstanceOf(Uint16Array);
    expect(img.bitsStored).toBe(16);
    expect(img.maxStored).toBeGreaterThan(255);
  });

  it('decodeToGray gives the model input of a JPEG exactly as PIL decodes it', async () => {
    const g = await decodeToGray(read('gray.jpg'), 'gray.jpg');
    expectStats(stats(g.data), expected['gray.jpg']!.grey8);
  });
});

describe('bad inputs get a clear error', () => {
  const cases: [string, ImagingErrorCode, RegExp][] = [
    ['dcm-palette.dcm', 'palette-colour', /palette-colour/],
    ['dcm-no-pixels.dcm', 'no-pixel-data', /no image in it.*structured report/],
    ['dcm-truncated.dcm', 'truncated', /truncated/],
    ['not-dicom.dcm', 'not-an-image', /is a text file, not a DICOM, PNG or JPEG image/],
    ['dcm-huge.dcm', 'too-large', /20000x20000.*limit is 100 megapixels/],
    ['dcm-zero-rows.dcm', 'bad-size', /96x0/],
  ];
  for (const [name, code, message] of cases) {
    it(`${name} -> ${code}`, async () => {
      const err = await decodeImageFile(read(name), name).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ImagingError);
      expect((err as ImagingError).code).toBe(code);
      expect((err as ImagingError).message).toMatch(message);
    });
  }

  it('names the other formats a user may drop, and says what to do with them', async () => {
    const file = (head: string) => new Uint8Array([...Buffer.from(head, 'latin1'), ...new Uint8Array(64).fill(0xaa)]);
    const cases: [string, Uint8Array, string][] = [
      ['IMG_0042.HEIC', file('\0\0\0\x18ftypheic'), 'IMG_0042.HEIC is a HEIC photo (the format iPhones save by default), not a DICOM, PNG or JPEG image. Save it as JPEG or PNG and open that.'],
      ['x.heif', file('\0\0\0\x18ftypmif1'), 'x.heif is a HEIC photo (the format iPhones save by default), not a DICOM, PNG or JPEG image. Save it as JPEG or PNG and open that.'],
      ['x.avif', file('\0\0\0\x1cftypavif'), 'x.avif is an AVIF image, not a DICOM, PNG or JPEG image. Save it as JPEG or PNG and open that.'],
      ['x.webp', file('RIFF\0\0\0\0WEBPVP8 '), 'x.webp is a WebP image, not a DICOM, PNG or JPEG image. Save it as JPEG or PNG and open that.'],
      ['x.tif', file('II*\0'), 'x.tif is a TIFF image, not a DICOM, PNG or JPEG image. Save it as JPEG or PNG and open that.'],
      ['study.zip', file('PK\x03\x04'), 'study.zip is a ZIP archive, not a DICOM, PNG or JPEG image. Unzip it and open an image inside.'],
      ['x.pdf', file('%PDF-1.7'), 'x.pdf is a PDF document, not a DICOM, PNG or JPEG image.'],
      ['x.bin', file('\x01\x02\x03\x04'), 'x.bin is not a DICOM, PNG or JPEG image.'],
    ];
    for (const [name, bytes, message] of cases) {
      await expect(decodeImageFile(bytes, name), name).rejects.toMatchObject({ code: 'not-an-image', message });
    }
  });

  it('cut JPEG, deflated and JPEG 2000 files say "truncated"', async () => {
    for (const name of ['gray.jpg', 'dcm-deflate.dcm', 'dcm-j2k.dcm']) {
      const bytes = read(name);
      await expect(decodeImageFile(bytes.subarray(0, Math.floor(bytes.length * 0.7)), name)).rejects.toMatchObject({ code: 'truncated' });
    }
  });

  it('an empty file and a cut PNG', async () => {
    await expect(decodeImageFile(new Uint8Array(0), 'empty.png')).rejects.toThrow(/empty/);
    const png = read('gray8.png');
    await expect(decodeImageFile(png.subarray(0, 200), 'cut.png')).rejects.toBeInstanceOf(ImagingError);
  });
});
