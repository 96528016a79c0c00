import { useMemo } from 'react';
import { changeSummary, describeChanges, draftChanges } from '../../report/draft-changes';

/**
 * The report against the model's own draft, read-only: words the reader removed struck through,
 * words they added marked, with the count in words. Shown in the report box's place while the
 * reader asks for it (ReportPanel).
 */
export function DraftChanges({ model, report }: { model: string; report: string }) {
  const changes = useMemo(() => draftChanges(model, report), [model, report]);
  const summary = useMemo(() => describeChanges(changeSummary(model, report)), [model, report]);
  return (
    <div className="draft-changes" role="region" aria-label="Changes from the AI draft" tabIndex={0} data-testid="draft-changes">
      <p className="muted" data-testid="draft-changes-summary">
        {summary}
      </p>
      <p className="draft-changes-text">
        {changes.map((c, i) =>
          c.kind === 'added' ? (
            <ins key={i}>{c.text}</ins>
          ) : c.kind === 'removed' ? (
            <del key={i}>{c.text}</del>
          ) : (
            <span key={i}>{c.text}</span>
          ),
        )}
      </p>
    </div>
  );
}
