import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalCommand } from '../cli/commands/eval';
import { decodePgm, encodePgm } from '../preprocess/pgm';
import type { GrayImage } from '../preprocess/types';
import { OBSERVATIONS } from './chexpert-labeler';
import { parseCsv } from './csv';
import { ReferenceIndex, type GeneratedRecord } from './eval-inputs';
import type { EvalIo, GeneratorFactory } from './run-eval';

const model = fileURLToPath(new URL('../../public/models/cxr-llava-tiny', import.meta.url));
const golden = fileURLToPath(new URL('../../models/tiny/golden/cxr-sample-512.pgm', import.meta.url));

function crop(src: GrayImage, x: number, y: number, w: number, h: number): GrayImage {
  const data = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) data.set(src.data.subarray((y + r) * src.width + x, (y + r) * src.width + x + w), r * w);
  return { width: w, height: h, data };
}

function capture(): EvalIo & { logs: string[]; prints: string[] } {
  const logs: string[] = [];
  const prints: string[] = [];
  return { logs, prints, log: (l) => logs.push(l), print: (l) => prints.push(l) };
}

const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as GeneratedRecord);

let dir: string;
let images: string;
let refCsv: string;

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  dir = mkdtempSync(path.join(tmpdir(), 'cxr-eval-'));
  images = path.join(dir, 'images');
  const src = decodePgm(readFileSync(golden));
  // The golden 512x512, two crops of it (different sizes, so different inputs), and a copy of
  // the first one, which must get the same greedy report in a later run.
  const files: [string, GrayImage][] = [
    ['a.pgm', src],
    ['b.pgm', crop(src, 0, 0, 384, 448)],
    ['sub/c.pgm', crop(src, 100, 64, 400, 300)],
    ['z.pgm', src],
  ];
  for (const [name, img] of files) {
    const file = path.join(images, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, encodePgm(img));
  }
  writeFileSync(path.join(images, 'notes.txt'), 'not an image');
  refCsv = path.join(dir, 'ref.csv');
  writeFileSync(
    refCsv,
    [
      'image,report',
      'a.pgm,"Heart size is normal. No pleural effusion or pneumothorax."',
      'b.pgm,"Small left pleural effusion.\nMild cardiomegaly."',
      'c.pgm,"Possible pneumonia, but no pneumothorax."',
      'z.pgm,"Heart size is normal. No pleural effusion or pneumothorax."',
    ].join('\n') + '\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval with the tiny demo model (wasm, greedy)', () => {
  const common = () => ['--images', images, '--model', model, '--greedy', '--max-new-tokens', '6', '--ep', 'wasm', '--threads', '1'];

  it('generates, labels and scores the first images; a rerun skips them; results are deterministic', async () => {
    const out = path.join(dir, 'out');
    const io1 = capture();
    expect(await evalCommand([...common(), '--reports', refCsv, '--out', out, '--limit', '2'], undefined, io1)).toBe(0);

    const first = readJsonl(path.join(out, 'generated.jsonl'));
    expect(first.map((r) => r.image)).toEqual(['a.pgm', 'b.pgm']);
    for (const r of first) {
      expect(Object.keys(r).sort()).toEqual(['image', 'newTokens', 'promptTokens', 'report', 'seconds']);
      expect(r.newTokens).toBeGreaterThan(0);
      expect(r.newTokens).toBeLessThanOrEqual(6);
      // The report prompt: system + 1024 image rows + the question, as the golden test pins.
      expect(r.promptTokens).toBeGreaterThan(1024);
      expect(r.seconds).toBeGreaterThan(0);
      expect(typeof r.report).toBe('string');
    }
    expect(io1.logs.some((l) => l.startsWith('[1/2] a.pgm: '))).toBe(true);
    expect(io1.logs.some((l) => l.includes('random weights'))).toBe(true);

    // labels.csv: header, then a generated and a reference row per image.
    const labels = parseCsv(readFileSync(path.join(out, 'labels.csv'), 'utf8'));
    expect(labels[0]).toEqual(['image', 'source', ...OBSERVATIONS]);
    expect(labels.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['a.pgm', 'generated'],
      ['a.pgm', 'reference'],
      ['b.pgm', 'generated'],
      ['b.pgm', 'reference'],
    ]);
    const col = (o: string) => labels[0]!.indexOf(o);
    const refA = labels[2]!;
    expect([refA[col('No Finding')], refA[col('Cardiomegaly')], refA[col('Pleural Effusion')], refA[col('Pneumothorax')], refA[col('Edema')]]).toEqual(['1', '0', '0', '0', '']);
    const refB = labels[4]!;
    expect([refB[col('No Finding')], refB[col('Cardiomegaly')], refB[col('Pleural Effusion')]]).toEqual(['', '1', '1']);
    for (const row of labels.slice(1)) expect(row.slice(2).every((v) => ['', '1', '0', '-1'].includes(v))).toBe(true);

    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.model).toMatchObject({ id: 'cxr-llava-tiny', randomWeights: true });
    expect(metrics.generation).toMatchObject({ preset: 'report', temperature: 0, maxNewTokens: 6, greedy: true });
    expect(metrics.images).toEqual({ selected: 2, withReport: 2, evaluated: 2, unmatched: [] });
    expect(metrics.studies).toBe(2);
    expect(metrics.bootstrap).toEqual({ samples: 1000, seed: 20240601, level: 0.95, method: 'percentile' });
    expect(metrics.findings).toHaveLength(13);
    for (const f of metrics.findings) {
      expect(Object.keys(f).sort()).toEqual(['accuracy', 'excluded', 'f1', 'finding', 'fn', 'fp', 'n', 'sensitivity', 'specificity', 'tn', 'tp']);
      expect(f.n + f.excluded).toBe(2);
    }
    expect(metrics.macroF1.map((m: { name: string }) => m.name)).toEqual(['paper', 'all']);
    expect(io1.prints.join('\n')).toMatch(/^finding\s+n\s+accuracy \[95% CI\]/m);

    // Second run, same --limit: nothing to do, and no model is even loaded.
    const io2 = capture();
    const noModel: GeneratorFactory = async () => {
      throw new Error('the model should not be loaded when every image is done');
    };
    expect(await evalCommand([...common(), '--reports', refCsv, '--out', out, '--limit', '2'], undefined, io2, noModel)).toBe(0);
    expect(io2.logs.some((l) => l.includes('2 of 2 image(s) already in'))).toBe(true);
    expect(readJsonl(path.join(out, 'generated.jsonl'))).toEqual(first);
    expect(JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'))).toEqual(metrics);

    // Third run without --limit: only the remaining images are generated.
    const io3 = capture();
    expect(await evalCommand([...common(), '--reports', refCsv, '--out', out], undefined, io3)).toBe(0);
    const all = readJsonl(path.join(out, 'generated.jsonl'));
    expect(all.slice(0, 2)).toEqual(first);
    expect(all.map((r) => r.image)).toEqual(['a.pgm', 'b.pgm', 'sub/c.pgm', 'z.pgm']);
    expect(io3.logs.filter((l) => /^\[\d\/\d\]/.test(l)).map((l) => l.split(':')[0])).toEqual(['[1/2] sub/c.pgm', '[2/2] z.pgm']);
    expect(JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')).studies).toBe(4);

    // Determinism: z.pgm (a copy of a.pgm) gets a.pgm's greedy report in another process-level
    // run, after other images went through the same engine; the crops get other reports.
    const byImage = new Map(all.map((r) => [r.image, r]));
    const strip = (r: GeneratedRecord) => ({ report: r.report, promptTokens: r.promptTokens, newTokens: r.newTokens });
    expect(strip(byImage.get('z.pgm')!)).toEqual(strip(byImage.get('a.pgm')!));
    expect(byImage.get('b.pgm')!.report).not.toBe(byImage.get('a.pgm')!.report);
  }, 240_000);
});

describe('eval with scripted reports (no model)', () => {
  // Reports chosen per image size, so the labels and the metrics are known exactly.
  const scripted: Record<string, string> = {
    '512x512': 'Mild cardiomegaly. No pleural effusion.', // ref: Cardiomegaly 0, PE 0 -> FP, TN
    '384x448': 'Small left pleural effusion. Heart size is normal.', // ref: Cardiomegaly 1, PE 1 -> FN, TP
    '400x300': 'Possible pneumonia. No pneumothorax.', // ref: Pneumonia -1 (left out), Pneumothorax 0 -> TN
  };
  const fake: GeneratorFactory = async () => ({
    description: 'scripted',
    generate: async (img) => ({ report: scripted[`${img.width}x${img.height}`]!, promptTokens: 1, newTokens: 1 }),
    dispose: async () => {},
  });

  it('writes labels and exact metrics; --labels takes CheXpert CSV columns (1/0/-1/blank, 1.0 style)', async () => {
    const labelsCsv = path.join(dir, 'labels-ref.csv');
    writeFileSync(
      labelsCsv,
      ['Path,No Finding,Cardiomegaly,Pleural Effusion,Pneumonia,Pneumothorax', 'data/a.pgm,,0.0,0.0,,', 'data/b.pgm,,1.0,1.0,,', 'data/sub/c.pgm,,,,-1.0,0'].join('\n') + '\n',
    );
    const out = path.join(dir, 'scripted');
    const io = capture();
    expect(await evalCommand(['--images', images, '--labels', labelsCsv, '--out', out, '--bootstrap', '200'], undefined, io, fake)).toBe(0);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    const get = (name: string) => metrics.findings.find((f: { finding: string }) => f.finding === name);
    expect(get('Cardiomegaly')).toMatchObject({ n: 2, tp: 0, fp: 1, tn: 0, fn: 1, accuracy: { value: 0 }, sensitivity: { value: 0 }, specificity: { value: 0 }, f1: { value: 0 } });
    expect(get('Pleural Effusion')).toMatchObject({ n: 2, tp: 1, fp: 0, tn: 1, fn: 0, accuracy: { value: 1 }, f1: { value: 1 } });
    expect(get('Pneumonia')).toMatchObject({ n: 0, excluded: 3 });
    expect(get('Pneumothorax')).toMatchObject({ n: 1, tn: 1, specificity: { value: 1 }, sensitivity: { value: null } });
    expect(metrics.reference).toEqual({ kind: 'labels', file: labelsCsv });
    // z.pgm has no row in the labels: left out, and said so.
    expect(metrics.images).toEqual({ selected: 4, withReport: 4, evaluated: 3, unmatched: ['z.pgm'] });
    expect(io.logs.some((l) => l.includes('1 image(s) have no reference row: z.pgm'))).toBe(true);
    const paper = metrics.macroF1.find((m: { name: string }) => m.name === 'paper');
    expect(paper.defined).toEqual(['Cardiomegaly', 'Pleural Effusion']);
    expect(paper.value).toBe(0.5);
  });

  it('without a reference it only generates and labels', async () => {
    const out = path.join(dir, 'noref');
    const io = capture();
    expect(await evalCommand(['--images', images, '--out', out], undefined, io, fake)).toBe(0);
    expect(() => readFileSync(path.join(out, 'metrics.json'))).toThrow();
    const labels = parseCsv(readFileSync(path.join(out, 'labels.csv'), 'utf8'));
    expect(labels.slice(1).map((r) => r[1])).toEqual(['generated', 'generated', 'generated', 'generated']);
    expect(io.prints.join('\n')).toMatch(/labels of 4 generated report\(s\)[\s\S]*Cardiomegaly\s+2\s+1\s+0\s+1/);
  });

  it('says what the sign form would of each draft: critical results, Findings and Impression that disagree, blanks, the reason for the study unanswered', async () => {
    const drafts: Record<string, string> = {
      '512x512': 'Findings: Free air under the diaphragm. Small right apical pneumothorax.\nImpression: Pneumoperitoneum.',
      '384x448': 'Findings: Small right pleural effusion.\nImpression: Small left pleural effusion. Follow-up in [interval].',
      '400x300': 'Heart size is normal. Lungs are clear.',
    };
    const sectioned: GeneratorFactory = async () => ({
      description: 'scripted',
      generate: async (img) => ({ report: drafts[`${img.width}x${img.height}`]!, promptTokens: 1, newTokens: 1 }),
      dispose: async () => {},
    });
    // Full reference reports, as MIMIC-CXR's are: the reason for the study in their INDICATION section.
    const fullCsv = path.join(dir, 'full-reports.csv');
    writeFileSync(
      fullCsv,
      [
        'image,report',
        'a.pgm,"INDICATION: Fever, eval for pneumonia.\nFINDINGS: No focal consolidation."',
        'b.pgm,"INDICATION: Shortness of breath.\nFINDINGS: Small left pleural effusion."',
        'c.pgm,"FINDINGS: Lungs are clear."',
        'z.pgm,"INDICATION: ET tube placement.\nTECHNIQUE: AP portable.\nFINDINGS: Tube in place."',
      ].join('\n') + '\n',
    );
    const out = path.join(dir, 'checks');
    const io = capture();
    expect(await evalCommand(['--images', images, '--reports', fullCsv, '--out', out, '--bootstrap', '50'], undefined, io, sectioned)).toBe(0);
    const rows = parseCsv(readFileSync(path.join(out, 'checks.csv'), 'utf8'));
    expect(rows[0]).toEqual(['image', 'critical', 'urgency', 'sections', 'contradictions', 'sides', 'critical_left_out', 'blanks', 'indication', 'unanswered']);
    expect(rows.slice(1)).toEqual([
      ['a.pgm', 'pneumoperitoneum and pneumothorax', 'immediate', '1', '', '', 'pneumothorax', '0', 'Fever, eval for pneumonia.', 'pneumonia'],
      // Shortness of breath asks about heart failure: the effusion answers it.
      ['b.pgm', '', '', '1', '', 'pleural effusion is right in the findings and left in the impression', '', '1', 'Shortness of breath.', ''],
      ['sub/c.pgm', '', '', '0', '', '', '', '0', '', ''],
      ['z.pgm', 'pneumoperitoneum and pneumothorax', 'immediate', '1', '', '', 'pneumothorax', '0', 'ET tube placement.', 'the lines and tubes'],
    ]);
    const summary = {
      reports: 4,
      critical: { any: 2, immediate: 2 },
      sections: { checked: 3, disagree: 3, contradictions: 0, sides: 1, criticalLeftOut: 2 },
      blanks: 1,
      question: { asked: 3, unanswered: 2 },
    };
    expect(JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')).draftChecks).toEqual(summary);
    expect(io.prints.join('\n')).toContain('Findings and Impression disagree: 3 of 3 (100.0 %) of those with both sections');
    expect(io.prints.join('\n')).toContain('leave the reason for the study unanswered: 2 of 3 (66.7 %) of those whose reason asks about');
    // An indication column wins over the reports' sections; without either the summary says none was given.
    const columnCsv = path.join(dir, 'with-indication.csv');
    writeFileSync(columnCsv, 'image,report,indication\na.pgm,"INDICATION: Fever.",Chest pain after a fall\n');
    const out2 = path.join(dir, 'checks2');
    expect(await evalCommand(['--images', images, '--reports', columnCsv, '--out', out2, '--bootstrap', '10', '--limit', '1'], undefined, capture(), sectioned)).toBe(0);
    expect(parseCsv(readFileSync(path.join(out2, 'checks.csv'), 'utf8'))[1]!.slice(-2)).toEqual(['Chest pain after a fall', 'a fracture']);
    const io3 = capture();
    expect(await evalCommand(['--images', images, '--reports', refCsv, '--out', path.join(dir, 'checks3'), '--bootstrap', '10', '--limit', '1'], undefined, io3, sectioned)).toBe(0);
    expect(io3.prints.join('\n')).toContain('reason for the study: none given that asks one of the questions checked');
  });

  it('a torn last line of generated.jsonl is dropped and that image generated again', async () => {
    const out = path.join(dir, 'torn');
    expect(await evalCommand(['--images', images, '--out', out], undefined, capture(), fake)).toBe(0);
    const file = path.join(out, 'generated.jsonl');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.length - 20));
    const io = capture();
    expect(await evalCommand(['--images', images, '--out', out], undefined, io, fake)).toBe(0);
    expect(io.logs.some((l) => l.includes('dropped 1 unreadable line'))).toBe(true);
    expect(readJsonl(file).map((r) => r.image)).toEqual(['a.pgm', 'b.pgm', 'sub/c.pgm', 'z.pgm']);
  });

  it('a failed image is reported, left out of the JSONL, and the exit code is 1', async () => {
    const out = path.join(dir, 'failing');
    const failing: GeneratorFactory = async (...a) => {
      const g = await fake(...a);
      return { ...g, generate: async (img) => (img.width === 384 ? Promise.reject(new Error('boom')) : g.generate(img)) };
    };
    const io = capture();
    expect(await evalCommand(['--images', images, '--out', out], undefined, io, failing)).toBe(1);
    expect(io.logs.some((l) => l.includes('b.pgm: FAILED: boom'))).toBe(true);
    expect(readJsonl(path.join(out, 'generated.jsonl')).map((r) => r.image)).toEqual(['a.pgm', 'sub/c.pgm', 'z.pgm']);
  });

  it('bad usage exits 2 with the usage text', async () => {
    const io = capture();
    expect(await evalCommand(['--reports', refCsv], undefined, io)).toBe(2);
    expect(io.logs.join('\n')).toMatch(/--images DIR is required[\s\S]*usage: npm run cli -- eval/);
    expect(await evalCommand(['--images', images, '--limit', 'x'], undefined, capture())).toBe(2);
    expect(await evalCommand(['--images', images, '--bogus'], undefined, capture())).toBe(2);
  });
});

describe('ReferenceIndex', () => {
  it('matches by path, by path suffix, then by a unique file name or stem', () => {
    const idx = new ReferenceIndex([
      ['CheXpert-v1.0/valid/patient1/study1/view1_frontal.jpg', 'p1'],
      ['CheXpert-v1.0/valid/patient2/study1/view1_frontal.jpg', 'p2'],
      ['other/x.dcm', 'x'],
      ['.\\win\\y.png', 'y'],
    ]);
    expect(idx.find('patient2/study1/view1_frontal.jpg')).toBe('p2');
    expect(idx.find('view1_frontal.jpg')).toBeUndefined(); // ambiguous name
    expect(idx.find('x.png')).toBe('x'); // unique stem
    expect(idx.find('elsewhere/x.dcm')).toBe('x');
    expect(idx.find('win/y.png')).toBe('y');
    expect(idx.find('z.png')).toBeUndefined();
  });
});
