import { useDeferredValue, useMemo } from 'react';
import { describeConflict, lateralityConflicts } from '../../report/laterality';
import { useAppStore } from '../store-context';

/** "Check the side: …", or null: the report's laterality conflicts (report/laterality.ts), read once the text settles. */
export function useLateralityWarning(): string | null {
  const report = useAppStore((s) => s.report);
  const streaming = useAppStore((s) => s.streaming === 'report');
  const settled = useDeferredValue(streaming ? '' : report);
  return useMemo(() => {
    const conflicts = lateralityConflicts(settled);
    return conflicts.length ? `Check the side: ${conflicts.map(describeConflict).join('; ')}.` : null;
  }, [settled]);
}

/** Under the report box while the Findings and the Impression put a finding on different sides; gone once they agree. */
export function LateralityCheck() {
  const warning = useLateralityWarning();
  const signed = useAppStore((s) => s.signature !== null);
  if (!warning || signed) return null;
  return (
    <p className="warning laterality-check" data-testid="laterality-warning">
      {warning}
    </p>
  );
}
