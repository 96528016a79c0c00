import { impressionStart } from '../../report/sections';
import { canContinueReport } from '../../state/report-slice';
import { useController } from '../controller-context';
import { useAppStore } from '../store-context';
import { useReportChecks } from './report-checks';

/**
 * Under the report box while its Findings and Impression disagree (report/section-agreement.ts: a
 * finding ruled out in one and named in the other, or on different sides); gone once they agree.
 * The usual cause is a draft whose findings the reader corrected: the model can write the
 * impression again from them.
 */
export function SectionCheck() {
  const controller = useController();
  const warning = useReportChecks().sections;
  const signed = useAppStore((s) => s.signature !== null);
  const rewritable = useAppStore((s) => s.load.status === 'loaded' && s.hasImage && canContinueReport(s) && impressionStart(s.report) !== null);
  if (!warning || signed) return null;
  return (
    <p className="warning section-check" data-testid="section-warning">
      {warning}
      {rewritable && (
        <>
          {' '}
          <button
            type="button"
            onClick={() => void controller.rewriteImpression()}
            title="Keeps the report up to its Impression heading (the whole of it stays under Earlier versions) and has the model write the impression again, from the findings as they are now"
          >
            Rewrite the impression
          </button>
        </>
      )}
    </p>
  );
}
