import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from './decode-node';
import { modelFitWarning } from './model-fit';
import type { MetaField } from './types';

const dir = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(dir + name));
const meta = (fields: Record<string, string>): MetaField[] => Object.entries(fields).map(([key, value]) => ({ key, label: key, value, identifying: false }));

describe('modelFitWarning: what the file says against what CXR-LLaVA reads', () => {
  it('says nothing of a frontal chest radiograph, or of a file that does not say', async () => {
    expect(modelFitWarning((await decodeImageFile(read('dcm-mono2-explicit.dcm'), 'pa.dcm')).meta)).toBeNull();
    expect(modelFitWarning((await decodeImageFile(read('gray.jpg'), 'x.jpg')).meta)).toBeNull();
    expect(modelFitWarning(meta({ modality: 'CR', viewPosition: 'AP', bodyPart: 'CHEST' }))).toBeNull();
    // OT and SC say nothing of what the image is (a scanned film, a converted image); '—' is an empty field.
    expect(modelFitWarning(meta({ modality: 'OT', viewPosition: '—', bodyPart: '—' }))).toBeNull();
    expect(modelFitWarning(meta({ modality: 'DX', bodyPart: 'THORAX' }))).toBeNull();
  });

  it('warns of a lateral view, read from the file', async () => {
    expect(modelFitWarning((await decodeImageFile(read('dcm-lateral.dcm'), 'lat.dcm')).meta)).toBe(
      'The file says this image is a lateral view, not a frontal one (View Position LATERAL). CXR-LLaVA was trained on frontal chest radiographs: a report on this image is not meaningful.',
    );
  });

  it('warns of another modality, read from the file (the fixture with its Modality made CT)', async () => {
    const bytes = read('dcm-mono2-explicit.dcm');
    // (0008,0060) CS, length 2, "DX" -> "CT"
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00, 0x44, 0x58]));
    expect(at).toBeGreaterThan(0);
    bytes.set([0x43, 0x54], at + 8);
    const image = await decodeImageFile(bytes, 'ct.dcm');
    expect(modelFitWarning(image.meta)).toMatch(/^The file says this image is a CT image \(Modality CT\)\. CXR-LLaVA was trained on frontal chest radiographs/);
  });

  it('warns of another body part, and gives every reason at once', () => {
    expect(modelFitWarning(meta({ modality: 'DX', bodyPart: 'HAND' }))).toMatch(/^The file says this image is of the hand, not the chest \(Body Part Examined HAND\)\./);
    expect(modelFitWarning(meta({ modality: 'MR', bodyPart: 'KNEE', viewPosition: 'LL' }))).toMatch(
      /^The file says this image is an MR image \(Modality MR\); of the knee, not the chest \(Body Part Examined KNEE\); a lateral view, not a frontal one \(View Position LL\)\./,
    );
    expect(modelFitWarning(meta({ modality: 'ZZ' }))).toMatch(/is not a radiograph \(Modality ZZ\)/);
  });
});
