import { canContinueReport } from '../../state/report-slice';
import { useAppStore } from '../store-context';

/**
 * Says when the model's report on screen is unfinished (a Stop, or the length limit in Settings),
 * or when Continue found nothing to add, so that a report cut short is never taken for a whole one.
 */
export function ReportEnd() {
  const end = useAppStore((s) => s.reportEnd);
  const shown = useAppStore((s) => canContinueReport(s));
  if (!end || !shown) return null;
  let text: string;
  // At the limit, the tokens it wrote are the limit it had (Settings' max new tokens, or less where the context is full).
  if (end.reason === 'length') text = `The model stopped at its length limit (${end.added} new tokens) before it finished. Continue (Ctrl+Shift+Enter) writes on.`;
  else if (end.reason === 'interrupted') text = 'Stopped before the model finished. Continue (Ctrl+Shift+Enter) writes on from the end of the report.';
  else if (end.added === 0) text = 'The model had nothing to add: its answer ends there.';
  else return null;
  return (
    <p className="muted" role="status" data-testid="report-end" data-reason={end.reason}>
      {text}
    </p>
  );
}
