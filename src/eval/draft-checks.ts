import { criticalFindings, listFindings } from '../report/critical-results';
import { describeConflict, lateralityConflicts, reportSections } from '../report/laterality';
import { blanks } from '../report/phrases';
import { contradictions, criticalLeftOut, describeContradiction } from '../report/section-agreement';

/**
 * What the sign form would tell a radiologist about each generated draft (src/report/): the
 * critical results it names, and where its Findings and Impression disagree. Over a test set, how
 * often the model's drafts need that correction before they can be signed: a measure of the work a
 * draft leaves, which the CheXpert scores against a reference do not show.
 */
export interface DraftCheck {
  image: string;
  /** "pneumoperitoneum and pneumothorax", or empty. */
  critical: string;
  urgency: 'immediate' | 'urgent' | '';
  /** Whether it has both a Findings and an Impression section (only those are checked against each other). */
  sections: boolean;
  contradictions: string[];
  sides: string[];
  criticalLeftOut: string[];
  /** "[interval]"-style blanks left in the text. */
  blanks: number;
}

export function checkDraft(image: string, report: string): DraftCheck {
  const found = criticalFindings(report);
  return {
    image,
    critical: found.length ? listFindings(found) : '',
    urgency: found[0]?.urgency ?? '',
    sections: reportSections(report) !== null,
    contradictions: contradictions(report).map(describeContradiction),
    sides: lateralityConflicts(report).map(describeConflict),
    criticalLeftOut: criticalLeftOut(report),
    blanks: blanks(report).length,
  };
}

export interface DraftCheckSummary {
  reports: number;
  critical: { any: number; immediate: number };
  /** Of the reports with both sections: how many disagree at all, and in which way. */
  sections: { checked: number; disagree: number; contradictions: number; sides: number; criticalLeftOut: number };
  blanks: number;
}

export function summarizeDraftChecks(checks: readonly DraftCheck[]): DraftCheckSummary {
  const count = (pick: (c: DraftCheck) => boolean) => checks.filter(pick).length;
  return {
    reports: checks.length,
    critical: { any: count((c) => c.critical !== ''), immediate: count((c) => c.urgency === 'immediate') },
    sections: {
      checked: count((c) => c.sections),
      disagree: count((c) => c.contradictions.length + c.sides.length + c.criticalLeftOut.length > 0),
      contradictions: count((c) => c.contradictions.length > 0),
      sides: count((c) => c.sides.length > 0),
      criticalLeftOut: count((c) => c.criticalLeftOut.length > 0),
    },
    blanks: count((c) => c.blanks > 0),
  };
}

/** checks.csv: one row per draft. */
export function draftCheckRows(checks: readonly DraftCheck[]): string[][] {
  return [
    ['image', 'critical', 'urgency', 'sections', 'contradictions', 'sides', 'critical_left_out', 'blanks'],
    ...checks.map((c) => [c.image, c.critical, c.urgency, c.sections ? '1' : '0', c.contradictions.join('; '), c.sides.join('; '), c.criticalLeftOut.join('; '), String(c.blanks)]),
  ];
}

const share = (k: number, n: number) => `${k} of ${n}${n ? ` (${((100 * k) / n).toFixed(1)} %)` : ''}`;

export function formatDraftChecks(s: DraftCheckSummary): string {
  return [
    `what the sign form would say of ${s.reports} generated report(s):`,
    `  name a critical result: ${share(s.critical.any, s.reports)}; one to tell at once: ${s.critical.immediate}`,
    `  Findings and Impression disagree: ${share(s.sections.disagree, s.sections.checked)} of those with both sections` +
      ` (a finding ruled out in one and named in the other: ${s.sections.contradictions}; on different sides: ${s.sections.sides}; a critical finding left out of the impression: ${s.sections.criticalLeftOut})`,
    `  blanks left to fill: ${s.blanks}`,
  ].join('\n');
}
