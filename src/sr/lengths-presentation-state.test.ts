import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { axesOf, spatialTransformOf, type PresentedView } from '../imaging/presented-view';
import type { Segment } from '../imaging/measure';
import { part10 } from './dicom-object';
import { buildLengthsPresentationState } from './lengths-presentation-state';
import { srSourceFromDicom } from './source';

const dir = mkdtempSync(join(tmpdir(), 'cxr-gsps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// A 6x4 12-bit image whose every pixel differs (value 100 * index, rescaled x2 - 100), so any
// turn, flip or window shows in the rendered pixels.
const W = 6;
const H = 4;
const SLOPE = 2;
const INTERCEPT = -100;
const stored = new Uint16Array(W * H).map((_, i) => i * 100);

function imageFile(photometric: 'MONOCHROME1' | 'MONOCHROME2'): Uint8Array {
  return part10({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    SOPInstanceUID: `1.2.826.0.1.3680043.10.1.${photometric === 'MONOCHROME1' ? 1 : 2}`,
    StudyInstanceUID: '1.2.826.0.1.3680043.10.2',
    SeriesInstanceUID: '1.2.826.0.1.3680043.10.3',
    PatientID: 'PID-GSPS',
    PatientName: 'Presentation^State',
    AccessionNumber: 'ACC-GSPS',
    Modality: 'OT',
    ConversionType: 'WSD',
    Rows: H,
    Columns: W,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: photometric,
    RescaleSlope: String(SLOPE),
    RescaleIntercept: String(INTERCEPT),
    PixelData: [stored.slice().buffer],
    _vrMap: { PixelData: 'OW' },
  });
}

const image = { width: W, height: H, slope: SLOPE, intercept: INTERCEPT, pixelSpacing: [0.5, 0.5] as [number, number], meta: [] };
const segments: Segment[] = [
  { a: { x: 0.5, y: 0.5 }, b: { x: 5.25, y: 3.5 } },
  { a: { x: 1, y: 2 }, b: { x: 3, y: 2 }, role: 'heart' },
  { a: { x: 0, y: 2.5 }, b: { x: 6, y: 2.5 }, role: 'chest' },
];
const upright: PresentedView['axes'] = { x: { x: 1, y: 0 }, y: { x: 0, y: 1 } };

function build(photometric: 'MONOCHROME1' | 'MONOCHROME2', view: PresentedView) {
  const imageBytes = imageFile(photometric);
  const source = srSourceFromDicom(imageBytes.slice().buffer);
  const ps = buildLengthsPresentationState({ source, image, segments, view, softwareVersion: 'CXR-LLaVA Web 0.1.0', now: new Date(2026, 11, 7, 8, 15, 0) });
  return { source, ps, imagePath: write(`${photometric}.dcm`, imageBytes), psPath: write(`${photometric}-${ps.sopInstanceUID}.pr.dcm`, ps.bytes) };
}

/** dcmtk's rendering of the image under the presentation state: width, height and 8-bit pixels. */
function render(imagePath: string, psPath: string) {
  const out = join(dir, 'out.pgm');
  execFileSync('dcmp2pgm', ['-p', psPath, imagePath, out]);
  const pgm = readFileSync(out);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 32).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), pixels: [...pgm.subarray(header[0].length)] };
}

/**
 * What the reader saw: each stored value rescaled, windowed as DICOM's linear function (PS3.3
 * C.11.2.1.2) to 0..255, inverted when shown inverted, and placed where the view's axes put it.
 */
function seen(view: PresentedView) {
  const { x: ax, y: ay } = view.axes;
  const swap = Math.abs(ax.x) < Math.abs(ax.y);
  const [ow, oh] = swap ? [H, W] : [W, H];
  const out = new Array<number>(W * H).fill(-1);
  const { center: c, width: w } = view.window;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = stored[y * W + x]! * SLOPE + INTERCEPT;
      const g = Math.round(Math.min(1, Math.max(0, (v - (c - 0.5)) / (w - 1) + 0.5)) * 255);
      const [dx, dy] = [x - (W - 1) / 2, y - (H - 1) / 2];
      const sx = dx * Math.sign(ax.x || 0) * (swap ? 0 : 1) + dy * Math.sign(ay.x || 0) * (swap ? 1 : 0) + (ow - 1) / 2;
      const sy = dx * Math.sign(ax.y || 0) * (swap ? 1 : 0) + dy * Math.sign(ay.y || 0) * (swap ? 0 : 1) + (oh - 1) / 2;
      out[Math.round(sy) * ow + Math.round(sx)] = view.invert ? 255 - g : g;
    }
  }
  return { width: ow, height: oh, pixels: out };
}

/** The errors dicom3tools' dciodvfy and dcmtk's dcmpschk find in a presentation state (warnings allowed). */
function validatorErrors(path: string): string[] {
  const r = spawnSync('dciodvfy', [path]);
  const errors = `${r.stdout.toString()}${r.stderr.toString()}`.split('\n').filter((l) => /^Error/.test(l));
  const check = spawnSync('dcmpschk', [path]);
  const said = `${check.stdout.toString()}${check.stderr.toString()}`;
  return [...errors, ...said.split('\n').filter((l) => /error/i.test(l)), ...(check.status === 0 ? [] : [`dcmpschk exit ${check.status}`])];
}

describe('lengths as a Grayscale Softcopy Presentation State', () => {
  const view: PresentedView = { window: { center: 1000, width: 2001 }, invert: false, axes: upright };
  const { source, ps, psPath } = build('MONOCHROME2', view);

  it("passes dicom3tools' dciodvfy and dcmtk's dcmpschk with no errors", () => {
    expect(spawnSync('dciodvfy', [psPath]).stderr.toString()).toMatch(/^GrayscaleSoftcopyPresentationState$/m);
    expect(validatorErrors(psPath)).toEqual([]);
  });

  it('files in the image study as a new PR series, pointing at the image, with each length drawn and labelled', () => {
    const dump = execFileSync('dcmdump', ['+L', psPath]).toString('utf8');
    expect(dump).toContain(`(0020,000d) UI [${source.StudyInstanceUID}]`);
    expect(dump).toContain('(0010,0020) LO [PID-GSPS]');
    expect(dump).toContain('(0008,0050) SH [ACC-GSPS]');
    expect(dump).toContain('(0008,0060) CS [PR]');
    expect(dump).toContain(`(0020,000e) UI [${ps.seriesInstanceUID}]`);
    expect(dump.match(new RegExp(`\\(0008,1155\\) UI \\[${source.SOPInstanceUID.replace(/\./g, '\\.')}\\]`, 'g'))).toHaveLength(3);
    // Each length a two-point polyline in image pixels, as drawn.
    const lines = [...dump.matchAll(/\(0070,0022\) FL ([^\s#]+)/g)].map((m) => m[1]!.split('\\').map(Number));
    expect(lines).toEqual(segments.map((s) => [s.a.x, s.a.y, s.b.x, s.b.y]));
    const texts = [...dump.matchAll(/\(0070,0006\) ST \[([^\]]*)\]/g)].map((m) => m[1]);
    expect(texts).toEqual(['2.8 mm', 'Heart width 1.0 mm', 'Chest width 3.0 mm', 'Cardiothoracic ratio 0.33']);
    expect(dump).toContain('(0028,1050) DS [1000]');
    expect(dump).toContain('(0028,1051) DS [2001]');
    expect(dump).toContain('(2050,0020) CS [IDENTITY]');
  });

  it('dcmtk renders the image as the reader saw it: the window, the inversion, every turn and flip', () => {
    const turns: PresentedView['axes'][] = [
      upright,
      { x: { x: 0, y: 1 }, y: { x: -1, y: 0 } }, // turned right
      { x: { x: -1, y: 0 }, y: { x: 0, y: -1 } }, // upside down
      { x: { x: 0, y: -1 }, y: { x: 1, y: 0 } }, // turned left
      { x: { x: -1, y: 0 }, y: { x: 0, y: 1 } }, // mirrored left to right
      { x: { x: 1, y: 0 }, y: { x: 0, y: -1 } }, // mirrored top to bottom
      { x: { x: 0, y: 1 }, y: { x: 1, y: 0 } }, // transposed
      { x: { x: 0, y: -1 }, y: { x: -1, y: 0 } }, // transposed the other way
    ];
    for (const axes of turns) {
      for (const photometric of ['MONOCHROME2', 'MONOCHROME1'] as const) {
        // A MONOCHROME1 image opens inverted (low values white); the reader may invert either.
        for (const invert of [false, true]) {
          const v: PresentedView = { window: { center: 900, width: 1500 }, invert, axes };
          const { imagePath, psPath: p } = build(photometric, v);
          if (photometric === 'MONOCHROME2' && !invert) expect(validatorErrors(p), JSON.stringify(axes)).toEqual([]);
          const got = render(imagePath, p);
          const want = seen(v);
          const label = `${JSON.stringify(axes)} ${photometric} invert=${invert}`;
          expect([got.width, got.height], label).toEqual([want.width, want.height]);
          expect(Math.max(...got.pixels.map((g, i) => Math.abs(g - want.pixels[i]!))), `${label}\n${got.pixels}\n${want.pixels}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('turns the viewer turned right and mirrored into a rotation of 270 and a horizontal flip, and back', () => {
    expect(spatialTransformOf({ x: { x: 0, y: -1 }, y: { x: -1, y: 0 } })).toEqual({ rotation: 270, hflip: true });
    expect(spatialTransformOf({ x: { x: 0, y: 3.5 }, y: { x: -3.5, y: 0 } })).toEqual({ rotation: 90, hflip: false });
    for (const hflip of [false, true]) for (const rotation of [0, 90, 180, 270]) expect(spatialTransformOf(axesOf(rotation, hflip))).toEqual({ rotation, hflip });
  });

  it('refuses to be made with no lengths', () => {
    expect(() => buildLengthsPresentationState({ source, image, segments: [], view, softwareVersion: '', now: new Date() })).toThrow(/No lengths/);
  });
});
