import { labelReport, OBSERVATIONS, type Observation } from '../eval/chexpert-labeler';
import { criticalFindings } from './critical-results';
import { describeConflict, lateralityConflicts } from './laterality';
import { reportSections } from './sections';

/**
 * Whether a report's Impression agrees with its Findings, as dictation systems check before
 * signing: a finding ruled out in one and named in the other (a draft's Findings edited and its
 * Impression left as the model wrote it), put on different sides (laterality.ts), or a critical
 * finding left out of the Impression. Each section
 * is labelled by the CheXpert labeler on its own; only a report with both sections is checked.
 */

export interface Contradiction {
  finding: string;
  /** Where it is ruled out; it is named (present or possible) in the other. */
  ruledOutIn: 'findings' | 'impression';
}

/** "No Finding" is what the others add up to, and support devices are listed, not concluded. */
const CHECKED = OBSERVATIONS.filter((o): o is Exclude<Observation, 'No Finding' | 'Support Devices'> => o !== 'No Finding' && o !== 'Support Devices');

/** The findings ruled out in one section and named in the other. */
export function contradictions(report: string): Contradiction[] {
  const sections = reportSections(report);
  if (!sections) return [];
  const above = labelReport(sections.findings);
  const below = labelReport(sections.impression);
  const out: Contradiction[] = [];
  for (const o of CHECKED) {
    const [a, b] = [above[o], below[o]];
    if (a === 0 && (b === 1 || b === -1)) out.push({ finding: o.toLowerCase(), ruledOutIn: 'findings' });
    if (b === 0 && (a === 1 || a === -1)) out.push({ finding: o.toLowerCase(), ruledOutIn: 'impression' });
  }
  return out;
}

/** "pneumothorax is ruled out in the findings and named in the impression". */
export function describeContradiction(c: Contradiction): string {
  return `${c.finding} is ruled out in the ${c.ruledOutIn} and named in the ${c.ruledOutIn === 'findings' ? 'impression' : 'findings'}`;
}

/**
 * The critical findings (critical-results.ts) the Findings name and the Impression leaves out: the
 * Impression is what the referring clinician reads first, so a finding that needs telling at once
 * belongs there. One the Impression rules out is a contradiction, said as one, not here.
 */
export function criticalLeftOut(report: string): string[] {
  const sections = reportSections(report);
  if (!sections) return [];
  const concluded = criticalFindings(sections.impression).map((f) => f.name);
  const ruledOut = new Set(contradictions(report).map((c) => c.finding));
  // "Tension pneumothorax" in the Impression covers a pneumothorax in the Findings, and the other way round.
  const covered = (name: string) => concluded.some((c) => c.endsWith(name) || name.endsWith(c));
  return criticalFindings(sections.findings)
    .map((f) => f.name)
    .filter((name) => !covered(name) && !ruledOut.has(name));
}

/** Every disagreement between the Findings and the Impression, in words; empty when they agree. */
export function sectionDisagreements(report: string): string[] {
  return [
    ...contradictions(report).map(describeContradiction),
    ...lateralityConflicts(report).map(describeConflict),
    ...criticalLeftOut(report).map((name) => `${name} is named in the findings and left out of the impression, which the referring clinician reads first`),
  ];
}
