import { parseFindings, type FindingLabel, type Observation } from './findings';

/**
 * The report on screen against a report filed before, observation by observation: the 14 CheXpert
 * observations, read from both texts the way the findings table reads an answer (lists by name,
 * prose by the project's CheXpert labeler). It says what each report names, not what changed in
 * the patient: a finding "not mentioned" was not necessarily absent. What it is for: the reader
 * sees at a glance what their report says differently from the prior one, and what the prior named
 * that theirs does not mention.
 */
export interface IntervalChange {
  /** Named now (present or possible), ruled out in the prior report. */
  ruledOutBefore: string[];
  /** Named now, not mentioned in the prior report. */
  notMentionedBefore: string[];
  /** Ruled out now, named in the prior report. */
  ruledOutNow: string[];
  /** Named in the prior report, not mentioned now. */
  notMentionedNow: string[];
  /** Named in both. */
  both: string[];
}

const named = (l: FindingLabel) => l === 'positive' || l === 'uncertain';
const nameOf = (o: Observation, l: FindingLabel) => `${l === 'uncertain' ? 'possible ' : ''}${o.toLowerCase()}`;

/** What a report names, observation by observation: the prior's half of the comparison, read once. */
export type ReportLabels = ReadonlyMap<Observation, FindingLabel>;

/** Null for an empty text. */
export function reportLabels(text: string): ReportLabels | null {
  return text.trim() ? new Map(parseFindings(text).map((r) => [r.observation, r.label])) : null;
}

/** Null when either text is empty. "No Finding" is left out: it is what the others add up to. */
export function intervalChange(prior: string | ReportLabels | null, now: string): IntervalChange | null {
  const before = typeof prior === 'string' ? reportLabels(prior) : prior;
  if (!before || !now.trim()) return null;
  const c: IntervalChange = { ruledOutBefore: [], notMentionedBefore: [], ruledOutNow: [], notMentionedNow: [], both: [] };
  for (const r of parseFindings(now)) {
    if (r.observation === 'No Finding') continue;
    const then = before.get(r.observation) ?? 'not mentioned';
    if (named(r.label)) {
      if (named(then)) c.both.push(nameOf(r.observation, r.label));
      else (then === 'negative' ? c.ruledOutBefore : c.notMentionedBefore).push(nameOf(r.observation, r.label));
    } else if (named(then)) {
      (r.label === 'negative' ? c.ruledOutNow : c.notMentionedNow).push(nameOf(r.observation, then));
    }
  }
  return c;
}

/** One line per kind that has any, in the order a reader checks them; none when the two agree on nothing named. */
export function describeIntervalChange(c: IntervalChange): string[] {
  const lines: [string[], string][] = [
    [c.ruledOutBefore, 'Named now, ruled out in this report'],
    [c.notMentionedBefore, 'Named now, not mentioned in this report'],
    [c.ruledOutNow, 'Named in this report, ruled out now'],
    [c.notMentionedNow, 'Named in this report, not mentioned now'],
    [c.both, 'Named in both'],
  ];
  return lines.filter(([list]) => list.length).map(([list, what]) => `${what}: ${list.join(', ')}.`);
}
