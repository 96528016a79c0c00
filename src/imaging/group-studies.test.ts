import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { chooseFrontal } from './choose-frontal';
import { groupByStudy } from './group-studies';
import { peekHeader } from './peek-header';

const fixtures = fileURLToPath(new URL('../../e2e/fixtures/imaging/', import.meta.url));
const file = (source: string, name = source) => new File([readFileSync(fixtures + source)], name);
const dir = mkdtempSync(join(tmpdir(), 'cxr-group-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('peekHeader', () => {
  it('reads what tells studies and views apart, from DICOM files only', async () => {
    expect(await peekHeader(file('dcm-lateral.dcm'))).toEqual({
      view: 'LATERAL',
      studyUid: '1.2.826.0.1.3680043.9.7433.2.1',
      modality: 'DX',
      patientName: 'Test Patient 1',
      accession: 'ACC1',
      studyDate: '2024-01-31',
      indication: null,
    });
    expect(await peekHeader(file('gray8.png'))).toBeNull();
    expect(await peekHeader(file('not-dicom.dcm'))).toBeNull();
  });

  it('reads a header longer than its first read (a 100 KB element before the pixel data)', async () => {
    const blob = join(dir, 'blob.bin');
    writeFileSync(blob, Buffer.alloc(100 * 1024, 7));
    const long = join(dir, 'long.dcm');
    copyFileSync(fixtures + 'dcm-mono2-explicit.dcm', long);
    execFileSync('dcmodify', ['-q', '-nb', '-if', `(0042,0011)=${blob}`, long]);
    const head = await peekHeader(new File([readFileSync(long)], 'long.dcm'));
    expect(head?.view).toBe('PA');
    expect(head?.studyUid).toBe('1.2.826.0.1.3680043.9.7433.2.1');
    // The reason for the study, for the worklist row.
    execFileSync('dcmodify', ['-q', '-nb', '-i', '(0040,1002)=Line placement', long]);
    expect((await peekHeader(new File([readFileSync(long)], 'long.dcm')))?.indication).toBe('Line placement');
  });

  it('reads each file once, though files given at once are grouped by study and then ranked by view', async () => {
    const files = [file('dcm-lateral.dcm'), file('dcm-mono2-explicit.dcm')];
    const reads = files.map((f) => vi.spyOn(f, 'slice'));
    const { studies } = await groupByStudy(files);
    const choice = await chooseFrontal(studies[0]!.files);
    expect(choice.file.name).toBe('dcm-mono2-explicit.dcm');
    expect(reads.map((r) => r.mock.calls)).toEqual([[[0, 32 * 1024]], [[0, 32 * 1024]]]);
  });
});

describe('groupByStudy', () => {
  it('puts DICOM files of one study together, gives each PNG or JPEG its own, and leaves out objects that are not images', async () => {
    const given = [file('dcm-lateral.dcm', 'IM1'), file('gray8.png'), file('dcm-mono1.dcm', 'IM2'), file('dcm-no-pixels.dcm', 'SR1'), file('dcm-mono2-explicit.dcm', 'IM3'), file('gray.jpg')];
    const { studies, notImages } = await groupByStudy(given);
    expect(studies.map((s) => s.files.map((f) => f.name))).toEqual([['IM1', 'IM3'], ['gray8.png'], ['IM2'], ['gray.jpg']]);
    expect(studies.map((s) => s.header?.studyUid ?? null)).toEqual(['1.2.826.0.1.3680043.9.7433.2.1', null, '1.2.826.0.1.3680043.9.7433.2.2', null]);
    expect(notImages.map((f) => f.name)).toEqual(['SR1']);
  });

  it('keeps a DICOM file without a Study Instance UID, or a damaged one, as a study of its own', async () => {
    const noUid = join(dir, 'no-uid.dcm');
    copyFileSync(fixtures + 'dcm-mono2-explicit.dcm', noUid);
    execFileSync('dcmodify', ['-q', '-nb', '-e', '(0020,000d)', noUid]);
    const { studies } = await groupByStudy([new File([readFileSync(noUid)], 'a'), new File([readFileSync(noUid)], 'b'), file('dcm-truncated.dcm')]);
    expect(studies.map((s) => s.files.map((f) => f.name))).toEqual([['a'], ['b'], ['dcm-truncated.dcm']]);
  });
});
