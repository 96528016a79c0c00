import { labelReportDetailed, type Observation } from '../eval/chexpert-labeler';
import { reportSections } from './sections';

/**
 * A laterality check, as dictation systems run before signing: a finding put on one side in the
 * Findings and on the other in the Impression ("right pleural effusion" above, "left pleural
 * effusion" below) is one of the commonest errors a report goes out with. Findings are read by the
 * project's CheXpert labeler (only those named, present or possible); each mention's side is the
 * nearest "left", "right" or "bilateral" before it in its sentence, else just after it ("effusion
 * on the right"). Only a report with both sections is checked, and only a finding given a side in
 * both, on sides that share nothing: "right" against "left and right" is not flagged.
 */

export type Side = 'left' | 'right' | 'bilateral';

export interface LateralityConflict {
  /** "pleural effusion". */
  finding: string;
  findings: Side[];
  impression: Side[];
}

const SIDE_WORDS: [RegExp, Side][] = [
  [/^(?:bilateral(?:ly)?|both)$/, 'bilateral'],
  [/^(?:left|lt)$/, 'left'],
  [/^(?:right|rt)$/, 'right'],
];
const SIDE = /\b(?:bilateral(?:ly)?|both|left|lt|right|rt)\b/g;
/** Words between a side and its finding ("right lower lobe consolidation": four). */
const NEAR_WORDS = 4;

const sideOf = (word: string): Side => SIDE_WORDS.find(([re]) => re.test(word))![1];
const wordsIn = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** The side a mention (its text's `nth` occurrence in the sentence) is given there, or null. */
function mentionSide(sentence: string, mention: string, nth: number): Side | null {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = sentence.indexOf(mention, at + 1);
    if (at < 0) return null;
  }
  const sides = [...sentence.matchAll(SIDE)];
  // Before it, nearest first, in its own clause ("right effusion, left atelectasis").
  const before = sides.filter((m) => m.index + m[0].length <= at && !/[,;]/.test(sentence.slice(m.index, at))).at(-1);
  if (before && wordsIn(sentence.slice(before.index + before[0].length, at)) <= NEAR_WORDS) return sideOf(before[0]);
  const after = sides.find((m) => m.index >= at + mention.length && !/[,;]/.test(sentence.slice(at, m.index)));
  if (after && wordsIn(sentence.slice(at + mention.length, after.index)) <= NEAR_WORDS) return sideOf(after[0]);
  return null;
}

function sidesByFinding(text: string): Map<Observation, Set<Side>> {
  const out = new Map<Observation, Set<Side>>();
  // Mentions come in order, so the same words twice in a sentence are its first, then its second occurrence.
  const seen = new Map<string, number>();
  for (const m of labelReportDetailed(text).mentions) {
    const key = `${m.sentence}\u0000${m.text}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    if (!m.observation || m.label === 0) continue;
    const side = mentionSide(m.sentence, m.text, nth);
    if (!side) continue;
    const set = out.get(m.observation) ?? new Set<Side>();
    set.add(side);
    out.set(m.observation, set);
  }
  return out;
}

/** The findings put on one side in the Findings and on another in the Impression. */
export function lateralityConflicts(report: string): LateralityConflict[] {
  const sections = reportSections(report);
  if (!sections) return [];
  const above = sidesByFinding(sections.findings);
  const below = sidesByFinding(sections.impression);
  const out: LateralityConflict[] = [];
  for (const [observation, sides] of above) {
    const other = below.get(observation);
    if (!other || [...sides].some((s) => other.has(s))) continue;
    // "Bilateral" above and "left" below is a narrowing, not a contradiction.
    if (sides.has('bilateral') || other.has('bilateral')) continue;
    out.push({ finding: observation.toLowerCase(), findings: [...sides], impression: [...other] });
  }
  return out;
}

/** "pleural effusion is right in the findings and left in the impression". */
export function describeConflict(c: LateralityConflict): string {
  return `${c.finding} is ${c.findings.join(' and ')} in the findings and ${c.impression.join(' and ')} in the impression`;
}
