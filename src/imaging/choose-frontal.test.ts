import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseFrontal, MAX_LOOKED_AT, mayBeImage, viewPositionOf } from './choose-frontal';

const dir = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const bytes = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(dir + name));
const file = (name: string, data: Uint8Array<ArrayBuffer> = bytes(name)) => new File([data], name);

/** dcm-mono2-explicit.dcm says PA; the same bytes with the two-letter value made AP. */
function apView(): Uint8Array<ArrayBuffer> {
  const b = bytes('dcm-mono2-explicit.dcm');
  const at = Buffer.from(b).indexOf(Buffer.from([0x18, 0x00, 0x01, 0x51, 0x43, 0x53, 0x02, 0x00, 0x50, 0x41]));
  expect(at).toBeGreaterThan(0);
  b.set([0x41, 0x50], at + 8);
  return b;
}

describe('chooseFrontal: several files given at once', () => {
  it('reads the View Position of DICOM files, and none of other files', async () => {
    expect(await viewPositionOf(file('dcm-mono2-explicit.dcm'))).toBe('PA');
    expect(await viewPositionOf(file('dcm-lateral.dcm'))).toBe('LATERAL');
    expect(await viewPositionOf(file('ap.dcm', apView()))).toBe('AP');
    expect(await viewPositionOf(file('gray8.png'))).toBeNull();
    // A file cut inside its header says nothing; one cut in its pixel data still has its header.
    expect(await viewPositionOf(file('cut.dcm', bytes('dcm-mono2-explicit.dcm').slice(0, 300)))).toBeNull();
    expect(await viewPositionOf(file('dcm-truncated.dcm'))).toBe('PA');
    expect(await viewPositionOf(new File([], 'folder'))).toBeNull();
  });

  it('opens the PA view of a PA and a lateral, whichever comes first, and says which is not open', async () => {
    for (const files of [
      [file('1-lateral.dcm', bytes('dcm-lateral.dcm')), file('2-pa.dcm', bytes('dcm-mono2-explicit.dcm'))],
      [file('2-pa.dcm', bytes('dcm-mono2-explicit.dcm')), file('1-lateral.dcm', bytes('dcm-lateral.dcm'))],
    ]) {
      const choice = await chooseFrontal(files);
      expect(choice.file.name).toBe('2-pa.dcm');
      expect(choice.view).toBe('PA');
      expect(choice.ranked.map((r) => r.label)).toEqual(['2-pa.dcm (PA)', '1-lateral.dcm (LATERAL)']);
      expect(choice.note).toBe('2 files were given at once, and CXR-LLaVA reads one frontal chest image: 2-pa.dcm is open because it is the PA view. Not opened: 1-lateral.dcm (LATERAL).');
    }
  });

  it('ranks PA before AP before files that do not say before lateral views, then by name', async () => {
    const lateral = file('a.dcm', bytes('dcm-lateral.dcm'));
    const png = file('b.png', bytes('gray8.png'));
    const ap = file('c.dcm', apView());
    const pa = file('d.dcm', bytes('dcm-mono2-explicit.dcm'));
    expect((await chooseFrontal([lateral, png, ap, pa])).file.name).toBe('d.dcm');
    expect((await chooseFrontal([lateral, png, ap])).file.name).toBe('c.dcm');
    const unknown = await chooseFrontal([lateral, png, file('img10.png', bytes('gray8.png')), file('img9.png', bytes('gray8.png'))]);
    // Names in natural order: b, img9, img10.
    expect(unknown.file.name).toBe('b.png');
    expect(unknown.note).toContain('b.png is open because no file says it is a frontal (PA or AP) view. Not opened: img9.png, img10.png, a.dcm (LATERAL).');
    const onlyLateral = await chooseFrontal([lateral, file('z.dcm', bytes('dcm-lateral.dcm'))]);
    expect(onlyLateral.note).toContain('a.dcm is open because no file is a frontal (PA or AP) view.');
  });

  it('a single file is opened as it is, with nothing to say', async () => {
    const choice = await chooseFrontal([file('dcm-lateral.dcm')]);
    expect(choice).toMatchObject({ view: 'LATERAL', note: null });
    expect(choice.ranked.map((r) => r.label)).toEqual(['dcm-lateral.dcm (LATERAL)']);
  });

  it(`looks at the first ${MAX_LOOKED_AT} files by name of a large drop, and says so`, async () => {
    const png = bytes('gray8.png');
    const files = Array.from({ length: MAX_LOOKED_AT + 10 }, (_, i) => file(`img${String(i).padStart(3, '0')}.png`, png));
    files.push(file('zz-pa.dcm', bytes('dcm-mono2-explicit.dcm')));
    const choice = await chooseFrontal(files);
    expect(choice.file.name).toBe('img000.png');
    expect(choice.note).toContain(`, and ${MAX_LOOKED_AT - 6} more. Only the first ${MAX_LOOKED_AT} by name were looked at.`);
    expect(choice.ranked).toHaveLength(MAX_LOOKED_AT);
  });

  it('names the folder the files were found in', async () => {
    const choice = await chooseFrontal([file('IM1', bytes('dcm-lateral.dcm')), file('IM2', bytes('dcm-mono2-explicit.dcm'))], 'in the folder "CD1"');
    expect(choice.note).toMatch(/^2 image files were found in the folder "CD1", and CXR-LLaVA reads one frontal chest image: IM2 is open because it is the PA view\./);
  });
});

describe('mayBeImage: what a folder from a CD or an export holds', () => {
  it('takes DICOM files with no, a numeric or a DICOM extension, and PNG and JPEG', () => {
    for (const name of ['IM000001', 'I0000023', '1.2.840.113619.2.55.3.604688119', 'x.dcm', 'X.DCM', 'a.dicom', 'b.ima', 'c.png', 'd.JPG', 'e.jpeg']) expect(mayBeImage(name), name).toBe(true);
  });
  it('leaves out the index, the viewer program, documents and hidden files', () => {
    for (const name of ['DICOMDIR', 'dicomdir', 'viewer.exe', 'autorun.inf', 'README.TXT', 'index.html', 'report.pdf', '.DS_Store', 'Thumbs.db', 'lib.dll']) expect(mayBeImage(name), name).toBe(false);
  });
});
