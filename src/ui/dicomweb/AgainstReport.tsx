import { useDeferredValue, useMemo } from 'react';
import { describeIntervalChange, intervalChange, reportLabels } from '../../report/interval-change';
import { useAppStore } from '../store-context';

/**
 * Under a prior study's report: what the report on screen names differently from it (the 14
 * CheXpert observations, report/interval-change.ts), so that the reader's report addresses what
 * the prior said. Nothing shows while there is no report on screen.
 */
export function AgainstReport({ prior }: { prior: string }) {
  const report = useDeferredValue(useAppStore((s) => s.report));
  // The prior's text does not change while the reader edits theirs: it is read once.
  const before = useMemo(() => reportLabels(prior), [prior]);
  const lines = useMemo(() => {
    const c = intervalChange(before, report);
    return c ? describeIntervalChange(c) : null;
  }, [before, report]);
  if (!lines) return null;
  return (
    <div className="against-report" data-testid="against-report">
      <p className="muted">Against the report on screen (the CheXpert observations each names, as the labeler reads them):</p>
      {lines.length ? (
        <ul>
          {lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">Neither names any finding.</p>
      )}
    </div>
  );
}
