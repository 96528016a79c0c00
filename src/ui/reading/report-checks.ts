import { useDeferredValue, useMemo } from 'react';
import { communicationDocumented, criticalFindings, type CriticalFinding } from '../../report/critical-results';
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

/** The report's checks, once its text settles: checking on every streamed token would only flicker. */
export function useReportChecks(): ReportChecks {
  const report = useAppStore((s) => s.report);
  const streaming = useAppStore((s) => s.streaming === 'report');
  const settled = useDeferredValue(streaming ? '' : report);
  return useMemo(() => reportChecks(settled), [settled]);
}
