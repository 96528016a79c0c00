import { describe, expect, it } from 'vitest';
import { emptyLabels, type Label, type LabelVector, type Observation } from './chexpert-labeler';
import { computeMetrics, formatMetricsTable, quantile, scores, type StudyLabels } from './metrics';

function vec(values: Partial<Record<Observation, Label>>): LabelVector {
  return { ...emptyLabels(), ...values };
}

/** Studies from parallel columns of reference / generated labels per finding. */
function studies(columns: Partial<Record<Observation, [Label[], Label[]]>>): StudyLabels[] {
  const n = Math.max(...Object.values(columns).map(([r]) => r.length));
  return Array.from({ length: n }, (_, i) => {
    const ref: Partial<Record<Observation, Label>> = {};
    const gen: Partial<Record<Observation, Label>> = {};
    for (const [f, [r, g]] of Object.entries(columns) as [Observation, [Label[], Label[]]][]) {
      ref[f] = r[i] ?? null;
      gen[f] = g[i] ?? null;
    }
    return { id: `s${i}`, reference: vec(ref), generated: vec(gen) };
  });
}

const FINDINGS: Observation[] = ['Pleural Effusion', 'Cardiomegaly', 'Edema'];

// Pleural Effusion: (1,1) TP, (1,0) FN, (1,1) TP, (0,0) TN, (0,1) FP; (-1,1) and (1,blank) left out.
// Cardiomegaly: 1 TP and 6 TN. Edema: never mentioned.
const SMALL = studies({
  'Pleural Effusion': [
    [1, 1, 1, 0, 0, -1, 1],
    [1, 0, 1, 0, 1, 1, null],
  ],
  Cardiomegaly: [
    [1, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 0, 0, 0, 0],
  ],
});

describe('metrics: point estimates on definite labels only', () => {
  const m = computeMetrics(SMALL, { findings: FINDINGS, macro: { three: FINDINGS }, samples: 0 });
  const [pe, cm, ed] = m.findings;

  it('counts the confusion over studies definite on both sides', () => {
    expect(pe).toMatchObject({ finding: 'Pleural Effusion', n: 5, excluded: 2, tp: 2, fn: 1, tn: 1, fp: 1 });
    expect(cm).toMatchObject({ n: 7, excluded: 0, tp: 1, tn: 6, fp: 0, fn: 0 });
    expect(ed).toMatchObject({ n: 0, excluded: 7 });
  });

  it('accuracy, sensitivity, specificity and F1 (hand-computed)', () => {
    expect(pe!.accuracy.value).toBeCloseTo(3 / 5, 12);
    expect(pe!.sensitivity.value).toBeCloseTo(2 / 3, 12);
    expect(pe!.specificity.value).toBeCloseTo(1 / 2, 12);
    expect(pe!.f1.value).toBeCloseTo((2 * 2) / (2 * 2 + 1 + 1), 12);
    expect([cm!.accuracy.value, cm!.sensitivity.value, cm!.specificity.value, cm!.f1.value]).toEqual([1, 1, 1, 1]);
    expect([ed!.accuracy.value, ed!.sensitivity.value, ed!.specificity.value, ed!.f1.value]).toEqual([null, null, null, null]);
    expect(pe!.f1.lo).toBeNull(); // samples: 0 -> no intervals
  });

  it('macro F1 averages the findings whose F1 is defined', () => {
    expect(m.macroF1).toHaveLength(1);
    expect(m.macroF1[0]).toMatchObject({ name: 'three', findings: FINDINGS, defined: ['Pleural Effusion', 'Cardiomegaly'] });
    expect(m.macroF1[0]!.value).toBeCloseTo((2 / 3 + 1) / 2, 12);
  });

  it('scores() edge cases: 0/0 is undefined, not 0', () => {
    expect(scores({ tp: 0, fp: 0, tn: 5, fn: 0 })).toEqual({ accuracy: 1, sensitivity: null, specificity: 1, f1: null });
    expect(scores({ tp: 0, fp: 2, tn: 0, fn: 3 })).toEqual({ accuracy: 0, sensitivity: 0, specificity: 0, f1: 0 });
  });

  it('quantile interpolates linearly like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
    expect(quantile([7], 0.5)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('defaults: the 13 mentioned observations, macro F1 over the paper six and over all', () => {
    const d = computeMetrics(SMALL, { samples: 0 });
    expect(d.findings.map((f) => f.finding)).not.toContain('No Finding');
    expect(d.findings).toHaveLength(13);
    expect(d.macroF1.map((x) => [x.name, x.findings.length])).toEqual([
      ['paper', 6],
      ['all', 13],
    ]);
    expect(d.macroF1[0]!.value).toBeCloseTo((2 / 3 + 1) / 2, 12);
  });
});

describe('metrics: seeded bootstrap', () => {
  // 200 studies: Pleural Effusion 60 TP, 20 FN, 100 TN, 20 FP; Cardiomegaly 30 TP 10 FP 10 FN 150 TN.
  const pattern = (counts: [number, number, number, number]): [Label[], Label[]] => {
    const [tp, fn, tn, fp] = counts;
    const ref: Label[] = [...Array<Label>(tp).fill(1), ...Array<Label>(fn).fill(1), ...Array<Label>(tn).fill(0), ...Array<Label>(fp).fill(0)];
    const gen: Label[] = [...Array<Label>(tp).fill(1), ...Array<Label>(fn).fill(0), ...Array<Label>(tn).fill(0), ...Array<Label>(fp).fill(1)];
    return [ref, gen];
  };
  const big = studies({ 'Pleural Effusion': pattern([60, 20, 100, 20]), Cardiomegaly: pattern([30, 10, 150, 10]) });
  const opts = { findings: ['Pleural Effusion', 'Cardiomegaly'] as Observation[], samples: 1000, seed: 7 };

  it('is reproducible with a seed and changes with it', () => {
    const a = computeMetrics(big, opts);
    const b = computeMetrics(big, opts);
    expect(b).toEqual(a);
    const c = computeMetrics(big, { ...opts, seed: 8 });
    expect(c.findings[0]!.f1.value).toBe(a.findings[0]!.f1.value);
    expect(c.findings[0]!.f1.lo).not.toBe(a.findings[0]!.f1.lo);
    expect(a.bootstrap).toEqual({ samples: 1000, seed: 7, level: 0.95, method: 'percentile' });
  });

  it('intervals cover the point estimates and have a plausible width', () => {
    const m = computeMetrics(big, opts);
    for (const f of m.findings) {
      for (const e of [f.accuracy, f.sensitivity, f.specificity, f.f1]) {
        expect(e.lo!).toBeLessThan(e.value!);
        expect(e.hi!).toBeGreaterThan(e.value!);
        // Normal approximation for a proportion near 0.8 with n ~ 80..200: half-width ~0.05..0.1.
        expect(e.hi! - e.lo!).toBeGreaterThan(0.02);
        expect(e.hi! - e.lo!).toBeLessThan(0.3);
      }
    }
    const pe = m.findings[0]!;
    expect(pe.accuracy.value).toBeCloseTo(160 / 200, 12);
    expect(pe.f1.value).toBeCloseTo(120 / 160, 12);
    // Binomial standard error of accuracy 0.8 on 200 studies is 0.028: the 95% interval ~ +-0.055.
    expect(pe.accuracy.hi! - pe.accuracy.lo!).toBeGreaterThan(0.08);
    expect(pe.accuracy.hi! - pe.accuracy.lo!).toBeLessThan(0.14);
    const macro = m.macroF1.find((x) => x.name === 'all')!;
    expect(macro.value).toBeCloseTo((0.75 + 0.75) / 2, 12);
    expect(macro.lo!).toBeLessThan(macro.value!);
    expect(macro.hi!).toBeGreaterThan(macro.value!);
  });

  it('formats a table with n and the intervals', () => {
    const table = formatMetricsTable(computeMetrics(SMALL, { findings: FINDINGS, macro: { three: FINDINGS }, samples: 200, seed: 1 }));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^finding\s+n\s+accuracy \[95% CI\]\s+sensitivity \[95% CI\]\s+specificity \[95% CI\]\s+F1 \[95% CI\]$/);
    expect(lines.find((l) => l.startsWith('Pleural Effusion'))).toMatch(/^Pleural Effusion\s+5\s+0\.600 \[\d\.\d{3}, \d\.\d{3}\]/);
    expect(lines.find((l) => l.startsWith('Edema'))).toMatch(/^Edema\s+0\s+—\s+—\s+—\s+—$/);
    expect(lines.at(-1)).toMatch(/^macro F1 \(three: 2\/3\)\s+0\.833 \[/);
  });
});
