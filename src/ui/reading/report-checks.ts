import { useDeferredValue, useMemo } from 'react';
import { communicationDocumented, criticalFindings, type CriticalFinding } from '../../report/critical-results';
import { describeUnanswered, unansweredQuestions } from '../../report/clinical-question';
import { studyIndication } from '../../state/report-slice';
import { sectionDisagreements } from '../../report/section-agreement';
import { useAppStore } from '../store-context';

/** What the report panel and the sign form check in the report's text before it is signed. */
export interface ReportChecks {
  /** The critical findings it names, and whether it documents telling anyone; null when it names none. */
  critical: { findings: CriticalFinding[]; documented: boolean } | null;
  /** "The findings and the impression disagree: …", or null. */
  sections: string | null;
}

const NONE: ReportChecks = { critical: null, sections: null };

// The last text's checks are kept: with the sign form open, the panel and the form read the same
// text at once, and each check is a labeler pass over the whole report.
let last: { text: string; checks: ReportChecks } | null = null;

export function reportChecks(text: string): ReportChecks {
  if (!text.trim()) return NONE;
  if (last?.text === text) return last.checks;
  const findings = criticalFindings(text);
  const lines = sectionDisagreements(text);
  const checks: ReportChecks = {
    critical: findings.length ? { findings, documented: communicationDocumented(text) } : null,
    sections: lines.length ? `The findings and the impression disagree: ${lines.join('; ')}.` : null,
  };
  last = { text, checks };
  return checks;
}

/** The report once its text settles (empty while the model writes it): checking on every streamed token would only flicker. */
function useSettledReport(): string {
  const report = useAppStore((s) => s.report);
  const streaming = useAppStore((s) => s.streaming === 'report');
  return useDeferredValue(streaming ? '' : report);
}

/** The report's checks, once its text settles. */
export function useReportChecks(): ReportChecks {
  const settled = useSettledReport();
  return useMemo(() => reportChecks(settled), [settled]);
}

/** What the reason for the study (typed, else the open file's) asks that the report leaves unanswered (report/clinical-question.ts). */
export function useUnansweredQuestions(): string[] {
  const indication = useAppStore(studyIndication);
  const settled = useSettledReport();
  return useMemo(() => (indication ? unansweredQuestions(indication, settled) : []), [indication, settled]);
}

/** "The reason for the study asks about the lines and tubes; the report does not mention them.", or null. */
export function useClinicalQuestion(): string | null {
  const left = useUnansweredQuestions();
  return useMemo(() => describeUnanswered(left), [left]);
}
