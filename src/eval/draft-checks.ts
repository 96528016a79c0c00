import { criticalFindings, listFindings } from '../report/critical-results';
import { describeConflict, lateralityConflicts } from '../report/laterality';
import { reportSections } from '../report/sections';
import { blanks } from '../report/phrases';
import { QUESTION_KINDS, questionsAsked, unansweredQuestions } from '../report/clinical-question';
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
  /** The reason for the study given with it ('' when none), what it asks of the kinds checked, and what the draft leaves unanswered. */
  indication: string;
  asked: string[];
  unanswered: string[];
}

export function checkDraft(image: string, report: string, indication = ''): DraftCheck {
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
    indication,
    asked: questionsAsked(indication),
    unanswered: unansweredQuestions(indication, report),
  };
}

export interface DraftCheckSummary {
  reports: number;
  critical: { any: number; immediate: number };
  /** Of the reports with both sections: how many disagree at all, and in which way. */
  sections: { checked: number; disagree: number; contradictions: number; sides: number; criticalLeftOut: number };
  blanks: number;
  /** Of the drafts whose reason for the study asks one of the questions checked: how many leave it unanswered. */
  question: { asked: number; unanswered: number };
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
    question: { asked: count((c) => c.asked.length > 0), unanswered: count((c) => c.unanswered.length > 0) },
  };
}

/** checks.csv: one row per draft. */
export function draftCheckRows(checks: readonly DraftCheck[]): string[][] {
  return [
    ['image', 'critical', 'urgency', 'sections', 'contradictions', 'sides', 'critical_left_out', 'blanks', 'indication', 'unanswered'],
    ...checks.map((c) => [c.image, c.critical, c.urgency, c.sections ? '1' : '0', c.contradictions.join('; '), c.sides.join('; '), c.criticalLeftOut.join('; '), String(c.blanks), c.indication, c.unanswered.join('; ')]),
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
    s.question.asked
      ? `  leave the reason for the study unanswered: ${share(s.question.unanswered, s.question.asked)} of those whose reason asks about ${QUESTION_KINDS}`
      : '  reason for the study: none given that asks one of the questions checked (an indication column, or an INDICATION section in the reference reports)',
  ].join('\n');
}
