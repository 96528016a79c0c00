import { useAppStore } from '../store-context';
import { useReportChecks } from './report-checks';

/**
 * Under the report box while its Findings and Impression disagree (report/section-agreement.ts: a
 * finding ruled out in one and named in the other, or on different sides); gone once they agree.
 */
export function SectionCheck() {
  const warning = useReportChecks().sections;
  const signed = useAppStore((s) => s.signature !== null);
  if (!warning || signed) return null;
  return (
    <p className="warning section-check" data-testid="section-warning">
      {warning}
    </p>
  );
}
