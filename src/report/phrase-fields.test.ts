import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../imaging/decode-node';
import { fieldValues, fillFields, unknownFields } from './phrase-fields';

const now = new Date(2026, 11, 7, 9, 30);

describe("a phrase's fields", () => {
  it('fills what it has and leaves a blank for what it has not; braces that are no field stay', () => {
    const text = 'Examination: Chest radiograph, {view} view, {Study Date}.\nIndication: {indication}. Read {today}. {not a field}';
    expect(fillFields(text, { view: 'PA', 'study date': '2024-01-31', today: '2026-12-07' })).toBe(
      'Examination: Chest radiograph, PA view, 2024-01-31.\nIndication: [indication]. Read 2026-12-07. {not a field}',
    );
    expect(unknownFields(text)).toEqual(['not a field']);
    expect(unknownFields('Indication: { indication }.')).toEqual([]);
  });

  it("takes the header's fields that do not identify the patient, and today's date", () => {
    const meta = [
      { key: 'viewPosition', label: 'View position', value: 'AP', identifying: false },
      { key: 'studyDate', label: 'Study date', value: '—', identifying: false },
      { key: 'indication', label: 'Reason for the study', value: 'Cough, fever', identifying: false },
      { key: 'studyDescription', label: 'Study description', value: 'Jane Doe', identifying: true },
    ];
    expect(fieldValues({ meta }, now)).toEqual({ indication: 'Cough, fever', 'study description': undefined, view: 'AP', 'study date': undefined, today: '2026-12-07' });
    expect(fieldValues(null, now)).toEqual({ indication: undefined, 'study description': undefined, view: undefined, 'study date': undefined, today: '2026-12-07' });
  });

  it("reads the reason for the study from a DICOM file's header, in the order the tags are preferred", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fields-'));
    try {
      const file = join(dir, 'x.dcm');
      copyFileSync(fileURLToPath(new URL('../../e2e/fixtures/imaging/dcm-mono2-explicit.dcm', import.meta.url)), file);
      const values = async () => fieldValues(await decodeImageFile(readFileSync(file), 'x.dcm'), now);
      expect(await values()).toMatchObject({ indication: undefined, view: 'PA', 'study date': '2024-01-31' });
      execFileSync('dcmodify', ['-q', '-nb', '-i', '(0010,21b0)=Smoker', '-i', '(0008,1030)=CHEST PA AND LATERAL', file]);
      expect(await values()).toMatchObject({ indication: 'Smoker', 'study description': 'CHEST PA AND LATERAL' });
      execFileSync('dcmodify', ['-q', '-nb', '-i', '(0040,1002)=Cough and fever for 3 days', file]);
      expect((await values()).indication).toBe('Cough and fever for 3 days');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
