import { useDeferredValue, useMemo } from 'react';
import { sectionDisagreements } from '../../report/section-agreement';
import { useAppStore } from '../store-context';

/**
 * "The findings and the impression disagree: …", or null (report/section-agreement.ts: a finding
 * ruled out in one and named in the other, or on different sides), read once the text settles.
 */
export function useSectionWarning(): string | null {
  const report = useAppStore((s) => s.report);
  const streaming = useAppStore((s) => s.streaming === 'report');
  const settled = useDeferredValue(streaming ? '' : report);
  return useMemo(() => {
    const lines = sectionDisagreements(settled);
    return lines.length ? `The findings and the impression disagree: ${lines.join('; ')}.` : null;
  }, [settled]);
}

/** Under the report box while its Findings and Impression disagree; gone once they agree. */
export function SectionCheck() {
  const warning = useSectionWarning();
  const signed = useAppStore((s) => s.signature !== null);
  if (!warning || signed) return null;
  return (
    <p className="warning section-check" data-testid="section-warning">
      {warning}
    </p>
  );
}
