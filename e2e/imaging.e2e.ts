import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Worker as PwWorker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeImageFile } from '../src/imaging/decode-node';
import { dicomParser } from '../src/imaging/dicom-parser-interop';
import { WADO_DECODER_NAME, WADO_PUBLIC_DIR, WADO_WORKER_FILE } from '../src/imaging/wado';
import { WARM_UP_FILE_NAME } from '../src/imaging/warm-up';
import { launchBrowser } from './support/browser';
import { canvasStats } from './support/viewport';
import { closePanel, openPanel, waitForModel, waitForVerdict } from './support/reading-room';
import { watchCsp } from './support/csp-watch';
import { expected, FIXTURES, openFile, waitShown, type StoredStats } from './support/open-image';

const baseURL = inject('baseURL');
const dir = FIXTURES;


/**
 * Which decoder each DICOM fixture's pixel data must come from in the browser: the compressed
 * syntaxes go to cornerstone-wado-image-loader's decode worker, except JPEG Extended (.51), whose
 * wado decoder is not bit-exact with dcmtk (README "Imaging"). A silent fallback fails here.
 */
const VIA_WADO = [
  'dcm-jpeg-baseline.dcm',
  'dcm-ybr-jpeg.dcm',
  'dcm-jpeg-lossless.dcm',
  'dcm-jpeg-lossless-sv1.dcm',
  'dcm-jpegls.dcm',
  'dcm-gdcm-jpegls.dcm',
  'dcm-jpegls-near.dcm',
  'dcm-j2k.dcm',
  'dcm-j2k-lossy.dcm',
  'dcm-rle.dcm',
];
function decoderOf(name: string): string | null {
  if (VIA_WADO.includes(name)) return WADO_DECODER_NAME;
  if (name === 'dcm-jpeg-extended8.dcm') return 'built-in libjpeg-turbo';
  if (name === 'dcm-jpeg-extended12.dcm') return 'built-in 12-bit JPEG (jpeg12.ts)';
  return name.endsWith('.dcm') ? 'dicom-parser (uncompressed)' : null;
}

const WADO_WORKER = new RegExp(`/${WADO_PUBLIC_DIR.replace(/[.]/g, '\\.')}${WADO_WORKER_FILE.replace(/[.]/g, '\\.')}$`);

/**
 * Before the app starts: every decode reply the page receives from its decode worker is summed up
 * in window.__decoded (the stored values' statistics, computed as fixtures.py does, and which
 * decoder the reply names), so the test checks the exact pixels the app got, not only the canvas.
 */
async function recordDecodeReplies(context: BrowserContext): Promise<void> {
  await context.addInitScript((warmUpName: string) => {
    const w = window as unknown as { __decoded: unknown; Worker: typeof Worker };
    const Native = w.Worker;
    w.__decoded = null;
    w.Worker = class extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        if (options?.name !== 'decode') return;
        // The app's decoder warm-up (imaging/warm-up.ts) decodes its own JPEGs at start, and under
        // load their replies can come after a test opened a file: those are not recorded.
        const warmUpIds = new Set<number>();
        const post = this.postMessage.bind(this) as (message: unknown, transfer: Transferable[]) => void;
        this.postMessage = ((message: { kind?: string; id?: number; name?: string }, transfer: Transferable[] = []) => {
          if (message?.kind === 'decode' && message.name === warmUpName && message.id !== undefined) warmUpIds.add(message.id);
          post(message, transfer);
        }) as Worker['postMessage'];
        // Added before the app sets onmessage, so it runs first and sees the pixels untouched.
        this.addEventListener('message', (e: MessageEvent) => {
          const d = e.data as { kind?: string; id?: number; image?: { pixels: ArrayLike<number>; decoder?: string; width: number; height: number } };
          if (d?.kind !== 'decoded' || !d.image || (d.id !== undefined && warmUpIds.has(d.id))) return;
          const px = d.image.pixels;
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
          w.__decoded = { decoder: d.image.decoder ?? null, width: d.image.width, height: d.image.height, stored: { min, max, mean, std: Math.sqrt(sq / px.length), checksum } };
        });
      }
    };
  }, WARM_UP_FILE_NAME);
}

interface Decoded {
  decoder: string | null;
  width: number;
  height: number;
  stored: StoredStats;
}

async function lastDecoded(page: Page): Promise<Decoded> {
  return page.evaluate(() => (window as unknown as { __decoded: Decoded }).__decoded);
}

/** The exact stored values the app decoded, and which decoder it says did it. */
async function expectDecoded(page: Page, name: string): Promise<void> {
  const got = await lastDecoded(page);
  const want = expected[name]!;
  expect(got, name).not.toBeNull();
  expect({ decoder: got.decoder, size: [got.width, got.height], ...got.stored, std: 0 }, name).toEqual({ decoder: decoderOf(name), size: [want.width, want.height], ...want.stored, std: 0 });
  expect(got.stored.std, name).toBeCloseTo(want.stored.std, 6);
  if (name.endsWith('.dcm')) expect(await metaText(page, 'decoder'), name).toContain(decoderOf(name)!);
}



async function waitRefused(page: Page, name: string, timeout = 30_000): Promise<string> {
  await page.waitForFunction((n) => document.querySelector('[data-testid="intake-error"]')?.textContent?.includes(n), name, { timeout });
  return (await page.getByTestId('intake-error').textContent()) ?? '';
}

async function expectShows(page: Page, name: string): Promise<void> {
  const want = expected[name]!.grey8;
  const got = await canvasStats(page);
  // The canvas is the image resampled to the viewport (bilinear): the mean holds, the std shrinks a little.
  expect(Math.abs(got.mean - want.mean), `${name} mean ${got.mean} vs ${want.mean}`).toBeLessThan(2.5);
  expect(Math.abs(got.std - want.std), `${name} std ${got.std} vs ${want.std}`).toBeLessThan(0.08 * want.std + 1.5);
}

async function metaText(page: Page, field: string): Promise<string> {
  return (await page.locator(`[data-testid="metadata"] [data-field="${field}"]`).textContent()) ?? '';
}

describe('opening images', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let csp: { violations: string[] };
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
    const context = await browser.newContext();
    csp = await watchCsp(context);
    await recordDecodeReplies(context);
    page = await context.newPage();
    errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(baseURL);
    await page.setViewportSize({ width: 1280, height: 720 });
  });
  afterAll(async () => browser?.close());

  const good = Object.keys(expected);
  it(`shows each of ${good.length} good inputs from the "Open image" picker, with the exact stored values, compressed DICOM decoded by ${WADO_DECODER_NAME}'s worker`, async () => {
    const failures: string[] = [];
    for (const name of good) {
      await openFile(page, name);
      await waitShown(page, name);
      for (const check of [expectDecoded, expectShows]) {
        try {
          await check(page, name);
        } catch (e) {
          failures.push((e as Error).message.split('\n').slice(0, 12).join(' '));
        }
      }
    }
    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
    // wado's worker runs under its own policy ('unsafe-eval' for its embind glue); nothing is blocked.
    expect(csp.violations).toEqual([]);
  });

  it("keeps JPEG Extended (.51) on the built-in decoders: wado's own decoder for it is not bit-exact with dcmtk", async () => {
    // wado's worker, driven directly with each .51 fixture's frame, against the built-in decoders
    // (which equal dcmtk's dcmdjpeg exactly: src/imaging/decode-node.test.ts).
    const measured: string[] = [];
    for (const name of ['dcm-jpeg-extended8.dcm', 'dcm-jpeg-extended12.dcm']) {
      const bytes = new Uint8Array(readFileSync(dir + name));
      const ds = dicomParser.parseDicom(bytes);
      const el = ds.elements.x7fe00010!;
      const frame = dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, el.fragments!.length);
      const imageFrame = {
        rows: ds.uint16('x00280010')!,
        columns: ds.uint16('x00280011')!,
        samplesPerPixel: 1,
        bitsAllocated: ds.uint16('x00280100')!,
        bitsStored: ds.uint16('x00280101')!,
        pixelRepresentation: 0,
        planarConfiguration: 0,
        photometricInterpretation: 'MONOCHROME2',
      };
      const theirs = await page.evaluate(
        async ({ url, imageFrame, b64 }) => {
          const w = new Worker(url);
          const call = (m: unknown) =>
            new Promise<{ status: string; result: { pixelData: ArrayBuffer } }>((resolve) => {
              w.onmessage = (e) => resolve(e.data);
              w.postMessage(m);
            });
          await call({ taskType: 'initialize', workerIndex: 1, config: { taskConfiguration: { decodeTask: { initializeCodecsOnStartup: false, strict: false } } } });
          const pixelData = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
          const r = await call({ taskType: 'decodeTask', workerIndex: 2, data: { imageFrame, transferSyntax: '1.2.840.10008.1.2.4.51', pixelData, options: { preScale: { enabled: false } }, decodeConfig: {} } });
          w.terminate();
          return r.status === 'success' ? Array.from(imageFrame.bitsAllocated > 8 ? new Uint16Array(r.result.pixelData) : new Uint8Array(r.result.pixelData)) : r.status;
        },
        { url: `${baseURL}${WADO_PUBLIC_DIR}${WADO_WORKER_FILE}`, imageFrame, b64: Buffer.from(frame).toString('base64') },
      );
      expect(Array.isArray(theirs), `${name}: ${String(theirs)}`).toBe(true);
      const ours = (await decodeImageFile(bytes, name)).pixels;
      expect((theirs as number[]).length).toBe(ours.length);
      let differing = 0;
      let largest = 0;
      (theirs as number[]).forEach((v, i) => {
        const d = Math.abs(v - ours[i]!);
        if (d) differing++;
        largest = Math.max(largest, d);
      });
      measured.push(`${name}: ${differing} of ${ours.length} pixels differ, by up to ${largest}`);
      expect(differing, name).toBeGreaterThan(0);
    }
    console.log(`${WADO_DECODER_NAME} on JPEG Extended vs dcmtk: ${measured.join('; ')}`);
  });

  it('shows a photo stored sideways upright, as its EXIF orientation asks, and says so', async () => {
    // Stored 96 wide and 80 high with orientation 6 (a phone held upright): the viewer shows it
    // 80 wide and 96 high, like the browser's own image viewer does.
    await openFile(page, 'exif-o6.jpg');
    await waitShown(page, 'exif-o6.jpg');
    expect(await metaText(page, 'exifOrientation')).toContain('6: rotated 90° clockwise');
    expect(await metaText(page, 'size')).toContain('80 × 96');
    expect(await page.getByTestId('image-notes').textContent()).toContain("Shown upright as the file's EXIF orientation asks");
    const [, , w, h] = ((await page.getByTestId('viewport').getAttribute('data-image-rect')) ?? '').split(',').map(Number);
    expect(h! / w!).toBeCloseTo(96 / 80, 1);
    // The browser's own decoder, which applies EXIF orientation, gives the same size.
    const native = await page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' }));
      return [bitmap.width, bitmap.height];
    }, readFileSync(dir + 'exif-o6.jpg').toString('base64'));
    expect(native).toEqual([80, 96]);
  });

  it('opens the frontal view of several files given at once (picker or drop), and says which files were not opened', async () => {
    const setPicker = page.getByLabel('Image of the set');
    const shownInSet = () => setPicker.evaluate((s: HTMLSelectElement) => `${s.parentElement!.firstChild!.textContent}${s.selectedOptions[0]!.text} of ${Array.from(s.options, (o) => o.text).join(' | ')}`);
    await page.getByLabel('Open image').setInputFiles([dir + 'dcm-lateral.dcm', dir + 'dcm-mono2-explicit.dcm']);
    await waitShown(page, 'dcm-mono2-explicit.dcm');
    expect(await shownInSet()).toBe('2 files given: dcm-mono2-explicit.dcm (PA) of dcm-mono2-explicit.dcm (PA) | dcm-lateral.dcm (LATERAL)');
    expect(await page.getByTestId('image-notes').textContent()).toContain(
      '2 files were given at once, and CXR-LLaVA reads one frontal chest image: dcm-mono2-explicit.dcm is open because it is the PA view. Not opened: dcm-lateral.dcm (LATERAL).',
    );
    // Beside: the lateral shown next to the PA (the side viewer, as for a prior); the PA stays the open image.
    const beside = page.getByRole('button', { name: 'Beside' });
    await beside.click();
    const other = page.getByTestId('prior-viewer');
    await page.locator('[data-testid="prior-viewport"][data-has-image="true"]').waitFor();
    expect([await other.getAttribute('aria-label'), await other.locator('.prior-viewer-label').textContent(), await beside.getAttribute('aria-pressed')]).toEqual([
      'Other image of this study',
      'Same study: dcm-lateral.dcm (LATERAL)',
      'true',
    ]);
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe('dcm-mono2-explicit.dcm');
    // Its own magnifying glass (G there too): held on it, not on the open image.
    await other.getByRole('button', { name: 'Magnify' }).click();
    const otherBox = (await page.getByTestId('prior-viewport').boundingBox())!;
    await page.mouse.move(otherBox.x + otherBox.width / 2, otherBox.y + otherBox.height / 2);
    await page.mouse.down();
    await expect.poll(() => other.getByTestId('magnifier').isVisible()).toBe(true);
    expect(await page.getByTestId('viewport').getByTestId('magnifier').isVisible()).toBe(false);
    await page.mouse.up();
    expect(await other.getByTestId('magnifier').isVisible()).toBe(false);
    // And with the keys: Enter puts it in the middle, Escape away.
    await page.getByTestId('prior-viewport').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => other.getByTestId('magnifier').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await other.getByTestId('magnifier').isVisible()).toBe(false);
    await beside.click();
    expect([await other.count(), await beside.getAttribute('aria-pressed')]).toEqual([0, 'false']);
    // One that cannot be decoded says why beside the open image, which stays; with two others the
    // reader picks which goes beside.
    await page.getByLabel('Open image').setInputFiles([dir + 'dcm-mono2-explicit.dcm', dir + 'dcm-lateral.dcm', dir + 'dcm-truncated.dcm']);
    await expect.poll(() => shownInSet()).toMatch(/^3 files given: dcm-mono2-explicit\.dcm \(PA\) of /);
    await beside.click();
    const which = other.getByLabel('Other image beside');
    expect(await which.locator('option').allTextContents()).toEqual(['dcm-truncated.dcm (PA)', 'dcm-lateral.dcm (LATERAL)']);
    // The lateral first (views that are not frontal rank last); the other on asking.
    await page.locator('[data-testid="prior-viewport"][data-has-image="true"]').waitFor();
    expect(await which.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]!.text)).toBe('dcm-lateral.dcm (LATERAL)');
    await which.selectOption({ label: 'dcm-truncated.dcm (PA)' });
    await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/^dcm-truncated\.dcm is cut short \(truncated DICOM file\)/);
    expect(await page.locator('[data-testid="viewport"]').getAttribute('data-has-image')).toBe('true');
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe('dcm-mono2-explicit.dcm');
    await other.getByRole('button', { name: 'Close the other image' }).click();
    // The setting "Show the other view beside…" hangs them together as they open, as PACS does.
    await openPanel(page, 'settings');
    const hang = page.getByLabel('Show the other view beside the frontal one when a study with several images opens');
    await hang.setChecked(true);
    await closePanel(page, 'settings');
    await page.getByLabel('Open image').setInputFiles([dir + 'dcm-lateral.dcm', dir + 'dcm-mono2-explicit.dcm']);
    await waitShown(page, 'dcm-mono2-explicit.dcm');
    await page.locator('[data-testid="prior-viewport"][data-has-image="true"]').waitFor();
    expect([await other.locator('.prior-viewer-label').textContent(), await beside.getAttribute('aria-pressed')]).toEqual(['Same study: dcm-lateral.dcm (LATERAL)', 'true']);
    await openPanel(page, 'settings');
    await hang.setChecked(false);
    await closePanel(page, 'settings');
    await page.getByLabel('Open image', { exact: true }).setInputFiles(dir + 'gray.jpg');
    await waitShown(page, 'gray.jpg');
    await page.getByLabel('Open image').setInputFiles([dir + 'dcm-lateral.dcm', dir + 'dcm-mono2-explicit.dcm']);
    await expect.poll(() => shownInSet()).toMatch(/^2 files given: dcm-mono2-explicit\.dcm \(PA\) of .*LATERAL/);
    expect(await other.count()).toBe(0);
    // The other file of the set, picked in the row: it opens, and the report panel says the model reads frontal views.
    await setPicker.selectOption({ label: 'dcm-lateral.dcm (LATERAL)' });
    await waitShown(page, 'dcm-lateral.dcm');
    await expectDecoded(page, 'dcm-lateral.dcm');
    expect(await shownInSet()).toBe('2 files given: dcm-lateral.dcm (LATERAL) of dcm-mono2-explicit.dcm (PA) | dcm-lateral.dcm (LATERAL)');
    expect(await page.getByTestId('image-notes').textContent()).toContain('dcm-lateral.dcm (LATERAL) was picked from 2 files given; CXR-LLaVA reads one frontal chest image.');
    expect(await page.getByTestId('report-fit-warning').textContent()).toContain('a lateral view, not a frontal one (View Position LATERAL)');

    // A drop of the same study's lateral and PA (renamed as on a CD) onto the page: the PA opens.
    await page.getByLabel('Open image').setInputFiles(dir + 'gray.jpg');
    await waitShown(page, 'gray.jpg');
    const files = [
      ['IM1', 'dcm-lateral.dcm'],
      ['IM2', 'dcm-mono2-explicit.dcm'],
    ].map(([name, source]) => ({ name: name!, b64: readFileSync(dir + source).toString('base64') }));
    await page.evaluate((list) => {
      const data = new DataTransfer();
      for (const f of list) data.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, cancelable: true, bubbles: true }));
    }, files);
    await waitShown(page, 'IM2');
    expect(await shownInSet()).toBe('2 files given: IM2 (PA) of IM2 (PA) | IM1 (LATERAL)');
    // One study: nothing went to the worklist (several studies would: hospital-workflow.e2e.ts).
    expect(await page.getByTestId('worklist-count').count()).toBe(0);

    // A lateral opened on its own: the report panel says the model reads frontal views.
    await openFile(page, 'dcm-lateral.dcm');
    await waitShown(page, 'dcm-lateral.dcm');
    const lateralWarning =
      'The file says this image is a lateral view, not a frontal one (View Position LATERAL). CXR-LLaVA was trained on frontal chest radiographs: a report on this image is not meaningful.';
    expect(await page.getByTestId('report-fit-warning').textContent()).toBe(lateralWarning);
    // A printed report carries it too (the sheet is in the page; the print stylesheet shows it).
    expect(await page.getByTestId('print-fit-warning').textContent()).toBe(lateralWarning);

    // One file again: the hint comes back, and a JPEG (which says nothing of its view) gets no warning.
    await openFile(page, 'gray.jpg');
    await waitShown(page, 'gray.jpg');
    expect(await page.getByTestId('intake-choice').count()).toBe(0);
    expect(await page.getByTestId('report-fit-warning').count()).toBe(0);
    expect(await page.getByTestId('print-fit-warning').count()).toBe(0);
  });

  it('"Open folder" on a CD-like folder finds its images among the rest and opens the PA view; a folder without images says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cxr-cd-'));
    try {
      const cd = join(root, 'CD1');
      mkdirSync(join(cd, 'DICOM', 'ST1', 'SE1'), { recursive: true });
      mkdirSync(join(cd, 'DICOM', 'ST1', 'SE2'), { recursive: true });
      mkdirSync(join(cd, 'VIEWER'));
      copyFileSync(dir + 'dcm-lateral.dcm', join(cd, 'DICOM', 'ST1', 'SE1', 'IM000001'));
      copyFileSync(dir + 'dcm-mono2-explicit.dcm', join(cd, 'DICOM', 'ST1', 'SE2', 'IM000002'));
      // What else a CD holds: the index (a DICOM file without an image), a viewer, a read-me, a
      // report object (an SR: not an image, left out); and a damaged PA of the same study, which
      // ranks first and does not open.
      copyFileSync(dir + 'dcm-no-pixels.dcm', join(cd, 'DICOMDIR'));
      copyFileSync(dir + 'dcm-no-pixels.dcm', join(cd, 'DICOM', 'ST1', 'SE1', 'SR000001'));
      copyFileSync(dir + 'dcm-truncated.dcm', join(cd, 'DICOM', 'ST1', 'SE1', 'IM000000'));
      writeFileSync(join(cd, 'VIEWER', 'viewer.exe'), 'MZ not an image');
      writeFileSync(join(cd, 'README.TXT'), 'Patient CD');
      await page.getByLabel('Open folder').setInputFiles(cd);
      await waitShown(page, 'IM000002');
      expect(await page.getByTestId('intake-choice').textContent()).toBe('3 image files in the folder "CD1": IM000000 (PA)IM000002 (PA)IM000001 (LATERAL)');
      expect(await page.getByLabel('Image of the set').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]!.text)).toBe('IM000002 (PA)');
      expect(await page.getByTestId('image-notes').textContent()).toContain(
        'IM000002 (PA) is open, the first of 3 image files in the folder "CD1" (frontal views first) that opened; passed over: IM000000 (PA).',
      );
      expect(await page.getByTestId('intake-error').count()).toBe(0);

      const docs = join(root, 'docs');
      mkdirSync(docs);
      writeFileSync(join(docs, 'README.TXT'), 'nothing to see');
      await page.getByLabel('Open folder').setInputFiles(docs);
      expect(await waitRefused(page, 'docs')).toContain('The folder "docs" holds no DICOM, PNG or JPEG files.');
      expect(await metaText(page, 'file')).toBe('IM000002');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('shows the metadata, with identifying fields marked, and the file windows as presets', async () => {
    await openFile(page, 'dcm-mono2-explicit.dcm');
    await waitShown(page, 'dcm-mono2-explicit.dcm');
    expect(await metaText(page, 'modality')).toContain('DX');
    expect(await metaText(page, 'viewPosition')).toContain('PA');
    expect(await metaText(page, 'size')).toContain('96 × 96');
    expect(await metaText(page, 'pixelSpacing')).toContain('0.139');
    expect(await metaText(page, 'bits')).toContain('12 / 16');
    expect(await metaText(page, 'photometric')).toContain('MONOCHROME2');
    expect(await metaText(page, 'transferSyntax')).toContain('Explicit VR Little Endian (1.2.840.10008.1.2.1)');
    expect(await metaText(page, 'studyDate')).toContain('2024-01-31');
    for (const f of ['patientName', 'patientId', 'birthDate', 'sex', 'accession', 'institution']) {
      const row = page.locator(`[data-testid="metadata"] [data-field="${f}"]`);
      expect(await row.getAttribute('data-identifying'), f).toBe('true');
      expect(await row.textContent()).toContain('identifying');
    }
    expect(await page.locator('[data-testid="metadata"] [data-field="modality"]').getAttribute('data-identifying')).toBeNull();
    expect(await metaText(page, 'patientName')).toContain('Test Patient 1');
    expect(await page.getByTestId('window-preset').allTextContents()).toEqual(['Default 3000/6000', 'DEFAULT 3000/6000', 'NARROW 2000/3000']);
    const vp = page.getByTestId('viewport');
    expect([await vp.getAttribute('data-window-center'), await vp.getAttribute('data-window-width')]).toEqual(['3000', '6000']);

    await openFile(page, 'dcm-multiframe.dcm');
    await waitShown(page, 'dcm-multiframe.dcm');
    expect(await page.getByTestId('image-notes').textContent()).toMatch(/frame 1 of 3/);
  });

  const bad: [string, RegExp][] = [
    ['dcm-palette.dcm', /palette-colour DICOM/],
    ['dcm-no-pixels.dcm', /no image in it.*structured report/],
    ['dcm-truncated.dcm', /truncated/],
    ['not-dicom.dcm', /is a text file, not a DICOM, PNG or JPEG image/],
    ['dcm-huge.dcm', /20000x20000.*limit is 100 megapixels/],
    ['dcm-zero-rows.dcm', /cannot be shown/],
  ];
  it('says why a bad file cannot be opened, and keeps the image that was open', async () => {
    await openFile(page, 'gray8.png');
    await waitShown(page, 'gray8.png');
    const before = await canvasStats(page);
    for (const [name, message] of bad) {
      await openFile(page, name);
      const alert = page.getByTestId('intake-error');
      await page.waitForFunction((n) => document.querySelector('[data-testid="intake-error"]')?.textContent?.includes(n), name, { timeout: 30_000 });
      expect(await alert.textContent()).toMatch(message);
      expect(await metaText(page, 'file')).toBe('gray8.png');
      const after = await canvasStats(page);
      expect(after.mean).toBeCloseTo(before.mean, 5);
    }
    // The page still answers, and the next good file opens and clears the error.
    await openFile(page, 'gray.jpg');
    await waitShown(page, 'gray.jpg');
    expect(await page.getByTestId('intake-error').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('opens a file dropped on the page and one pasted from the clipboard', async () => {
    const send = async (kind: 'drop' | 'paste', name: string) => {
      const b64 = readFileSync(dir + name).toString('base64');
      await page.evaluate(
        ({ kind, name, b64 }) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], name));
          if (kind === 'drop') {
            document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
            document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
            document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
          } else {
            document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
          }
        },
        { kind, name, b64 },
      );
      await waitShown(page, name);
      await expectShows(page, name);
    };
    await send('drop', 'dcm-jpeg-lossless.dcm');
    await send('paste', 'rgb.png');
  });
});

describe(`${WADO_DECODER_NAME}'s decode worker failing`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());

  it('a crash and a hang are each reported with the file named, the worker replaced, and the open study kept', async () => {
    const context = await browser.newContext();
    await recordDecodeReplies(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const decodeWorkers: string[] = [];
    const wadoWorkers: PwWorker[] = [];
    const closed = new Set<PwWorker>();
    page.on('worker', (w) => {
      if (/decode\.worker/.test(w.url())) decodeWorkers.push(w.url());
      if (WADO_WORKER.test(w.url())) {
        wadoWorkers.push(w);
        w.on('close', () => closed.add(w));
      }
    });
    // Playwright cannot route a nested worker's own script, so a running wado worker is changed in
    // place: its message handler is wrapped so that a compressed frame makes it throw (an
    // uncaught error: what the app sees of a crash) or never answer. The start-up check (an
    // uncompressed frame) still goes to the real handler.
    const sabotage = (w: PwWorker, how: 'crash' | 'hang') =>
      w.evaluate((how) => {
        const scope = self as unknown as { onmessage: (e: MessageEvent) => unknown };
        const real = scope.onmessage;
        scope.onmessage = (e: MessageEvent) => {
          const d = e.data as { taskType: string; data?: { transferSyntax: string } };
          if (d.taskType === 'decodeTask' && d.data?.transferSyntax !== '1.2.840.10008.1.2.1') {
            if (how === 'hang') return;
            throw new Error('simulated crash');
          }
          return real.call(self, e);
        };
      }, how);
    await page.goto(baseURL);
    await page.setViewportSize({ width: 1280, height: 720 });
    const showAndKeep = async (name: string) => {
      await openFile(page, name);
      await waitShown(page, name);
      await expectDecoded(page, name);
      const before = await canvasStats(page);
      return async () => {
        expect(await metaText(page, 'file')).toBe(name);
        expect((await canvasStats(page)).mean).toBeCloseTo(before.mean, 5);
      };
    };

    let kept = await showAndKeep('dcm-jpegls.dcm');
    expect(wadoWorkers).toHaveLength(1);
    await sabotage(wadoWorkers[0]!, 'crash');
    await openFile(page, 'dcm-j2k.dcm');
    expect(await waitRefused(page, 'dcm-j2k.dcm')).toMatch(
      /dcm-j2k\.dcm: the JPEG 2000 \(Lossless Only\) pixel data could not be decoded \(cornerstone-wado-image-loader 4\.13\.2's decode worker stopped: .*simulated crash\)/,
    );
    await kept();
    await expect.poll(() => closed.has(wadoWorkers[0]!)).toBe(true);

    // The next file gets a fresh wado worker.
    kept = await showAndKeep('dcm-rle.dcm');
    expect(wadoWorkers).toHaveLength(2);
    await sabotage(wadoWorkers[1]!, 'hang');
    const t0 = Date.now();
    await openFile(page, 'dcm-j2k.dcm');
    expect(await page.evaluate(() => 1 + 1)).toBe(2); // the page answers meanwhile
    expect(await waitRefused(page, 'dcm-j2k.dcm', 40_000)).toContain(
      "dcm-j2k.dcm: the JPEG 2000 (Lossless Only) pixel data could not be decoded (cornerstone-wado-image-loader 4.13.2's decode worker did not answer within 15 s and was stopped; the file may be damaged).",
    );
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(14_000);
    await kept();
    await expect.poll(() => closed.has(wadoWorkers[1]!)).toBe(true);

    await showAndKeep('dcm-j2k.dcm');
    expect(wadoWorkers).toHaveLength(3);
    // The app's own decode worker (and the study state it serves) was never replaced.
    expect(decodeWorkers).toHaveLength(1);
    expect(errors).toEqual([]);
    console.log(`wado worker hang reported after ${waited} ms`);
    await context.close();
  }, 120_000);
});

describe(`${WADO_DECODER_NAME}'s decode worker offline`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());

  it('is precached: with the network off, compressed DICOM still decodes through it', async () => {
    const context = await browser.newContext();
    await recordDecodeReplies(context);
    const page = await context.newPage();
    await page.goto(baseURL);
    await page.setViewportSize({ width: 1280, height: 720 });
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).some((r) => r.active?.state === 'activated')), {
        timeout: 120_000,
        interval: 500,
      })
      .toBe(true);
    // The reload below aborts whatever the old page still has in flight (the inference worker's
    // tokenizer chunk while the model loads, the self-check's sample radiograph), which is not the
    // offline failure this test looks for: let the first visit finish before going offline.
    await waitForModel(page);
    await waitForVerdict(page);
    const failed: string[] = [];
    context.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    await context.setOffline(true);
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    for (const name of ['dcm-j2k.dcm', 'dcm-jpegls.dcm', 'dcm-jpeg-baseline.dcm', 'dcm-jpeg-lossless.dcm']) {
      await openFile(page, name);
      await waitShown(page, name);
      await expectDecoded(page, name);
    }
    expect(failed).toEqual([]);
    await context.close();
  }, 180_000);
});
