/**
 * Per-finding agreement between generated and reference labels, as the CXR-LLaVA paper scores
 * its reports: only definite labels count (a study whose reference OR generated label for a
 * finding is uncertain or missing is left out for that finding), the reference is the truth and
 * the positive class is "finding present". 95% confidence intervals come from a seeded
 * bootstrap over studies (percentile method), so the same inputs always give the same numbers.
 */
import { createRng } from '../generate/sampler';
import { OBSERVATIONS, PAPER_FINDINGS, type Label, type LabelVector, type Observation } from './chexpert-labeler';

export interface StudyLabels {
  id: string;
  reference: LabelVector;
  generated: LabelVector;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Scores {
  accuracy: number | null;
  sensitivity: number | null;
  specificity: number | null;
  f1: number | null;
}

export type ScoreName = keyof Scores;
export const SCORE_NAMES: readonly ScoreName[] = ['accuracy', 'sensitivity', 'specificity', 'f1'];

/** A point estimate and its bootstrap interval; null where the score is undefined (0/0). */
export interface Estimate {
  value: number | null;
  lo: number | null;
  hi: number | null;
}

export interface FindingMetrics extends Confusion {
  finding: Observation;
  /** Studies with a definite label on both sides. */
  n: number;
  /** Studies left out for this finding (uncertain or missing on either side). */
  excluded: number;
  accuracy: Estimate;
  sensitivity: Estimate;
  specificity: Estimate;
  f1: Estimate;
}

export interface MacroF1 extends Estimate {
  name: string;
  /** The findings averaged over. */
  findings: Observation[];
  /** Of those, the ones whose F1 is defined on the full data (the point estimate's mean). */
  defined: Observation[];
}

export interface MetricsResult {
  studies: number;
  bootstrap: { samples: number; seed: number; level: number; method: 'percentile' };
  findings: FindingMetrics[];
  macroF1: MacroF1[];
}

export interface MetricsOptions {
  /** Findings to score; default: the 13 mentioned observations (No Finding is only ever 1 or blank). */
  findings?: readonly Observation[];
  /** Named finding sets to macro-average F1 over; default: the paper's six, and all scored findings. */
  macro?: Record<string, readonly Observation[]>;
  /** Bootstrap resamples (default 1000; 0 skips the intervals). */
  samples?: number;
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

export const DEFAULT_FINDINGS: readonly Observation[] = OBSERVATIONS.filter((o) => o !== 'No Finding');

export function scores(c: Confusion): Scores {
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    accuracy: ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
    sensitivity: ratio(c.tp, c.tp + c.fn),
    specificity: ratio(c.tn, c.tn + c.fp),
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  };
}

// Per study and finding: 0 left out, else the confusion cell.
const OUT = 0;
const TP = 1;
const FP = 2;
const TN = 3;
const FN = 4;

function cell(reference: Label, generated: Label): number {
  if ((reference !== 0 && reference !== 1) || (generated !== 0 && generated !== 1)) return OUT;
  if (reference === 1) return generated === 1 ? TP : FN;
  return generated === 1 ? FP : TN;
}

function tally(cells: Uint8Array, indices: ArrayLike<number> | null): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  const n = indices ? indices.length : cells.length;
  for (let k = 0; k < n; k++) {
    const v = cells[indices ? indices[k]! : k];
    if (v === TP) c.tp++;
    else if (v === FP) c.fp++;
    else if (v === TN) c.tn++;
    else if (v === FN) c.fn++;
  }
  return c;
}

/** The q-quantile of sorted values, interpolating linearly (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function interval(values: number[], level: number): { lo: number | null; hi: number | null } {
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { lo: quantile(values, tail), hi: quantile(values, 1 - tail) };
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function computeMetrics(studies: readonly StudyLabels[], options: MetricsOptions = {}): MetricsResult {
  const findings = options.findings ?? DEFAULT_FINDINGS;
  const macroSets = options.macro ?? { paper: PAPER_FINDINGS, all: findings };
  const samples = options.samples ?? 1000;
  const seed = options.seed ?? 20240601;
  const level = options.level ?? 0.95;
  const n = studies.length;

  const cells = findings.map((f) => Uint8Array.from(studies, (s) => cell(s.reference[f], s.generated[f])));
  const point = cells.map((c) => tally(c, null));
  const pointScores = point.map(scores);

  // Bootstrap: one resample of studies per replicate, shared by all findings (and so by the macro F1).
  const draws = SCORE_NAMES.map(() => findings.map((): number[] => []));
  const macroDraws = Object.keys(macroSets).map((): number[] => []);
  const rng = createRng(seed);
  const idx = new Uint32Array(n);
  for (let b = 0; b < samples && n > 0; b++) {
    for (let k = 0; k < n; k++) idx[k] = Math.floor(rng() * n);
    const f1ByFinding = new Map<Observation, number | null>();
    findings.forEach((f, i) => {
      const s = scores(tally(cells[i]!, idx));
      SCORE_NAMES.forEach((name, j) => {
        const v = s[name];
        if (v !== null) draws[j]![i]!.push(v);
      });
      f1ByFinding.set(f, s.f1);
    });
    Object.values(macroSets).forEach((set, j) => {
      const m = mean(
        set.flatMap((f) => {
          const v = f1ByFinding.get(f);
          return v === undefined || v === null ? [] : [v];
        }),
      );
      if (m !== null) macroDraws[j]!.push(m);
    });
  }

  const estimate = (value: number | null, values: number[]): Estimate => (value === null || samples === 0 ? { value, lo: null, hi: null } : { value, ...interval(values, level) });

  const out: FindingMetrics[] = findings.map((finding, i) => {
    const c = point[i]!;
    const s = pointScores[i]!;
    const count = c.tp + c.fp + c.tn + c.fn;
    return {
      finding,
      n: count,
      excluded: n - count,
      ...c,
      accuracy: estimate(s.accuracy, draws[0]![i]!),
      sensitivity: estimate(s.sensitivity, draws[1]![i]!),
      specificity: estimate(s.specificity, draws[2]![i]!),
      f1: estimate(s.f1, draws[3]![i]!),
    };
  });

  const pointF1 = new Map(findings.map((f, i) => [f, pointScores[i]!.f1]));
  const macroF1: MacroF1[] = Object.entries(macroSets).map(([name, set], j) => {
    const defined = set.filter((f) => (pointF1.get(f) ?? null) !== null);
    const value = mean(defined.map((f) => pointF1.get(f)!));
    return { name, findings: [...set], defined, ...estimate(value, macroDraws[j]!) };
  });

  return { studies: n, bootstrap: { samples, seed, level, method: 'percentile' }, findings: out, macroF1 };
}

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));
const fmtCi = (e: Estimate) => (e.value === null ? '—' : e.lo === null || e.hi === null ? fmt(e.value) : `${fmt(e.value)} [${fmt(e.lo)}, ${fmt(e.hi)}]`);

/** A plain-text table: finding, n, accuracy, sensitivity, specificity, F1, each with its CI. */
export function formatMetricsTable(result: MetricsResult): string {
  const pct = Math.round(result.bootstrap.level * 100);
  const header = ['finding', 'n', `accuracy [${pct}% CI]`, `sensitivity [${pct}% CI]`, `specificity [${pct}% CI]`, `F1 [${pct}% CI]`];
  const rows = result.findings.map((f) => [f.finding, String(f.n), fmtCi(f.accuracy), fmtCi(f.sensitivity), fmtCi(f.specificity), fmtCi(f.f1)]);
  const macro = result.macroF1.map((m) => [`macro F1 (${m.name}: ${m.defined.length}/${m.findings.length})`, '', '', '', '', fmtCi(m)]);
  const all = [header, ...rows, ...macro];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line), rule, ...macro.map(line)].join('\n');
}
