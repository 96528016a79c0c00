import { describe, expect, it } from 'vitest';
import type { DecodedImage, MetaField } from '../imaging/types';
import { describeStudy, patientIdentifiers, summarizeStudy, type ReportDocument } from './context';
import { parseFindings } from './findings';
import { reportMeasurements } from './structured-measurements';
import { exportFile, toMarkdown, toPlainText } from './text-export';

const meta: MetaField[] = [
  { key: 'modality', label: 'Modality', value: 'CR', identifying: false },
  { key: 'viewPosition', label: 'View position', value: 'PA', identifying: false },
  { key: 'size', label: 'Size', value: '2048 × 2500', identifying: false },
  { key: 'studyDate', label: 'Study date', value: '2024-02-29', identifying: false },
  { key: 'institution', label: 'Institution', value: 'St Example Hospital', identifying: true },
  { key: 'patientName', label: 'Patient name', value: 'DOE JANE', identifying: true },
  { key: 'patientId', label: 'Patient ID', value: 'MRN-0042', identifying: true },
  { key: 'birthDate', label: 'Birth date', value: '19700102', identifying: true },
  { key: 'sex', label: 'Sex', value: 'F', identifying: true },
];
const image = { format: 'dicom', width: 2048, height: 2500, meta } as DecodedImage;

const doc: ReportDocument = {
  text: '# Not a heading\nMild cardiomegaly. ```code``` <script>x</script>\n',
  preset: 'report',
  model: { id: 'cxr-llava-v2', name: 'CXR-LLaVA v2', randomWeights: false },
  study: summarizeStudy(image),
  now: new Date(2025, 2, 4, 9, 5),
};

describe('study summary', () => {
  it('keeps modality, view, size and study date, and nothing identifying', () => {
    expect(summarizeStudy(image)).toEqual({ format: 'dicom', width: 2048, height: 2500, modality: 'CR', viewPosition: 'PA', studyDate: '2024-02-29' });
    expect(describeStudy(summarizeStudy(image))).toBe('DICOM · CR · PA · 2048 × 2500 px');
  });

  it('carries the warning when the header says the image is not a frontal chest radiograph, into both text exports', () => {
    const lateral = { ...image, meta: meta.map((f) => (f.key === 'viewPosition' ? { ...f, value: 'LATERAL' } : f)) };
    const study = summarizeStudy(lateral);
    expect(study.fitWarning).toMatch(/^The file says this image is a lateral view, not a frontal one \(View Position LATERAL\)\./);
    expect(summarizeStudy(image).fitWarning).toBeUndefined();
    expect(toPlainText({ ...doc, study })).toContain(`\nWarning: ${study.fitWarning}\n`);
    expect(toMarkdown({ ...doc, study })).toContain('- **Warning:** The file says this image is a lateral view, not a frontal one (View Position LATERAL).');
    expect(toPlainText(doc)).not.toContain('Warning:');
  });

  it('says unsigned draft, or who signed it, when, and what it amends, in both text exports', () => {
    expect(toPlainText(doc)).toContain('\nAI-generated draft — not for clinical use without radiologist review\nStatus: unsigned draft\nModel: ');
    const reader = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    const signature = { reader, at: new Date(2025, 2, 4, 9, 30).getTime(), text: doc.text, amends: { reader, at: new Date(2025, 2, 4, 9, 10).getTime() } };
    const txt = toPlainText({ ...doc, signature });
    expect(txt).not.toContain('AI-generated draft — not for clinical use');
    expect(txt).toContain(
      '\nDrafted with an AI model; reviewed and signed by the radiologist named below\nStatus: final, amended\nSigned by: Dr Jane Doe (St Example Hospital), 2025-03-04 09:30\nAmends: the report signed by Dr Jane Doe (St Example Hospital), 2025-03-04 09:10\nModel: CXR-LLaVA v2',
    );
    expect(toPlainText({ ...doc, signature: { ...signature, amends: { ...signature.amends, addendum: true } } })).toContain(
      '\nStatus: final, with addendum\nSigned by: Dr Jane Doe (St Example Hospital), 2025-03-04 09:30\nAddendum to: the report signed by Dr Jane Doe (St Example Hospital), 2025-03-04 09:10\n',
    );
    const md = toMarkdown({ ...doc, signature: { reader, at: signature.at, text: doc.text } });
    expect(md).toContain('> **Drafted with an AI model; reviewed and signed by the radiologist named below**');
    expect(md).toContain('- **Status:** final\n- **Signed by:** Dr Jane Doe (St Example Hospital), 2025-03-04 09:30\n- **Model:**');
  });

  it("says how much of the AI draft the report keeps, when the model's text is known", () => {
    const aiDraft = { modelWords: 10, keptWords: 8, removedWords: 2, addedWords: 3 };
    expect(toPlainText({ ...doc, aiDraft })).toContain("\nStatus: unsigned draft\nAI draft: Kept 8 of the AI draft's 10 words, removed 2, added 3.\nModel: ");
    expect(toMarkdown({ ...doc, aiDraft })).toContain("- **AI draft:** Kept 8 of the AI draft's 10 words, removed 2, added 3.\n");
    expect(toPlainText(doc)).not.toContain('AI draft:');
  });

  it('gives the reason for the study after the study, in both text exports', () => {
    const txt = toPlainText({ ...doc, indication: 'Cough and fever; ? pneumonia' });
    expect(txt).toContain('\nStudy date: 2024-02-29\nReason for the study: Cough and fever; ? pneumonia\n');
    expect(toMarkdown({ ...doc, indication: 'Fall *left* ribs' })).toContain('- **Reason for the study:** Fall \\*left\\* ribs\n');
    expect(toPlainText(doc)).not.toContain('Reason for the study');
  });

  it('drops empty ("—") and invalid dates', () => {
    const m = meta.map((f) => (f.key === 'studyDate' ? { ...f, value: '2023-02-30' } : f.key === 'modality' ? { ...f, value: '—' } : f));
    expect(summarizeStudy({ ...image, meta: m })).toMatchObject({ modality: undefined, studyDate: undefined });
  });

  it('reads the identifiers only when asked (patientIdentifiers)', () => {
    expect(patientIdentifiers(image)).toEqual({ name: 'DOE JANE', id: 'MRN-0042', birthDate: '1970-01-02', sex: 'female' });
  });
});

describe('text exports', () => {
  for (const [name, render] of [
    ['plain text', toPlainText],
    ['Markdown', toMarkdown],
  ] as const) {
    it(`${name}: header with model, disclaimer, date and study; no identifiers`, () => {
      const out = render(doc);
      expect(out).toContain('AI-generated draft — not for clinical use without radiologist review');
      expect(out).toMatch(/Model:?\*?\*? CXR-LLaVA v2 \(cxr-llava-v2\)/);
      expect(out).toMatch(/Date:?\*?\*? 2025-03-04 09:05/);
      expect(out).toContain('DICOM · CR · PA · 2048 × 2500 px');
      expect(out).toContain('Mild cardiomegaly.');
      for (const id of ['DOE', 'MRN-0042', '1970', 'St Example']) expect(out).not.toContain(id);
    });
  }

  it('plain text is the header, a blank line, then the report as written', () => {
    const out = toPlainText(doc);
    expect(out.split('\n').slice(0, 3)).toEqual(['Chest radiograph — Report', '=========================', 'AI-generated draft — not for clinical use without radiologist review']);
    expect(out).toContain('\n\n# Not a heading\nMild cardiomegaly. ```code``` <script>x</script>\n');
  });

  it('Markdown fences the model text so it is shown, not rendered', () => {
    const out = toMarkdown(doc);
    expect(out).toContain('````text\n# Not a heading\nMild cardiomegaly. ```code``` <script>x</script>\n````');
  });

  it('says when the model has random weights', () => {
    expect(toPlainText({ ...doc, model: { ...doc.model!, randomWeights: true } })).toMatch(/RANDOM WEIGHTS, output is meaningless/);
  });

  it('says whether the model was verified on this device, in both formats', () => {
    const model = { ...doc.model!, verification: { status: 'unverified' as const, text: 'NOT VERIFIED on this device. Not verified on this device.' } };
    expect(toPlainText({ ...doc, model })).toMatch(/^Model: CXR-LLaVA v2 \(cxr-llava-v2\) — model self-check: NOT VERIFIED on this device/m);
    expect(toMarkdown({ ...doc, model })).toMatch(/model self-check: NOT VERIFIED on this device/);
  });

  it('adds the findings table for the findings preset', () => {
    const findings = parseFindings('Cardiomegaly: present. Pleural effusion: absent.');
    const md = toMarkdown({ ...doc, preset: 'findings', findings });
    expect(md).toContain('# Chest radiograph — Findings (CheXpert observations)');
    expect(md).toContain('| Cardiomegaly | positive |');
    expect(md).toContain('| Pleural Effusion | negative |');
    expect(md).toContain('| Fracture | not mentioned |');
    expect(toPlainText({ ...doc, preset: 'findings', findings })).toMatch(/Cardiomegaly\s+positive/);
  });

  it("lists the reader's lengths and ratio after the report, whose they are and what they are in", () => {
    const on = { pixelSpacing: [0.1, 0.1] as [number, number], spacingBasis: { kind: 'detector' as const }, meta: [] };
    const measurements = reportMeasurements(on, [
      { a: { x: 10, y: 10 }, b: { x: 433, y: 10 } },
      { a: { x: 100, y: 50 }, b: { x: 1410, y: 50 }, role: 'heart' },
      { a: { x: 20, y: 60 }, b: { x: 2750, y: 60 }, role: 'chest' },
    ])!;
    const txt = toPlainText({ ...doc, measurements });
    expect(txt.endsWith(
      [
        'Measured by the reader on the image (at the detector, not corrected for magnification):',
        '  Length 42.3 mm',
        '  Heart width 131.0 mm',
        '  Chest width 273.0 mm',
        '  Cardiothoracic ratio 0.48',
        '',
      ].join('\n'),
    )).toBe(true);
    expect(toMarkdown({ ...doc, measurements })).toContain(
      '## Measurements\n\nMeasured by the reader on the image (at the detector, not corrected for magnification):\n\n- Length 42.3 mm\n- Heart width 131.0 mm\n- Chest width 273.0 mm\n- Cardiothoracic ratio 0.48\n',
    );
    const pixels = reportMeasurements({ pixelSpacing: null, meta: [] }, [{ a: { x: 0, y: 0 }, b: { x: 30, y: 40 } }])!;
    expect(toPlainText({ ...doc, measurements: pixels })).not.toContain('Measured by the reader');
    expect(toPlainText(doc)).not.toContain('Measured by the reader');
  });

  it('names files by date and kind', () => {
    expect(exportFile(doc, 'txt')).toMatchObject({ name: 'cxr-report-2025-03-04.txt', mime: 'text/plain; charset=utf-8' });
    expect(exportFile(doc, 'md')).toMatchObject({ name: 'cxr-report-2025-03-04.md', mime: 'text/markdown; charset=utf-8' });
  });
});
