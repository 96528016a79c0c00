import { useMemo } from 'react';
import { listFindings } from '../../report/critical-results';
import { describeChanges, reportChanges } from '../../report/draft-changes';
import { blanks } from '../../report/phrases';
import { useAppStore } from '../store-context';
import { useClinicalQuestion, useReportChecks } from './report-checks';

/**
 * What the sign form tells the reader before they sign, as a dictation system checks a report:
 * how much of the model's draft they are signing, a demo model or a failed self-check, blanks left
 * from a phrase, the reason for the study left unanswered, a Findings and Impression that
 * disagree, and a critical result with no communication documented (with a way to document it).
 * None of them stops the signature: the reader decides.
 */
export function SignChecks({ onDocumentCommunication }: { onDocumentCommunication: () => void }) {
  const report = useAppStore((s) => s.report);
  // What the reader is about to sign of the model's text (none known: typed, or a filed draft).
  const modelReport = useAppStore((s) => s.modelReport);
  const randomWeights = useAppStore((s) => s.load.status === 'loaded' && s.load.info.randomWeights);
  // A model that failed its self-check here may not write what it should: the reader hears it again where they sign.
  const failedCheck = useAppStore((s) => (s.verification.status === 'failed' ? s.verification.stage : null));
  const { critical, sections } = useReportChecks();
  const question = useClinicalQuestion();
  const changes = useMemo(() => reportChanges({ modelReport, report }), [modelReport, report]);
  // A phrase's blank ("[interval]") never filled in.
  const unfilled = useMemo(() => [...new Set(blanks(report).map((b) => b.text))], [report]);
  return (
    <>
      {changes && (
        <p className={changes.removedWords + changes.addedWords === 0 ? 'warning' : 'muted'} data-testid="sign-changes">
          {changes.removedWords + changes.addedWords === 0 ? `You are signing the AI draft as the model wrote it (${changes.modelWords} words).` : describeChanges(changes)}
        </p>
      )}
      {randomWeights && (
        <p className="warning" data-testid="sign-demo-warning">
          This draft came from the demo model with random weights: its text means nothing. Sign only what you wrote or checked yourself.
        </p>
      )}
      {failedCheck && (
        <p className="error-text" data-testid="sign-selfcheck-warning">
          The model FAILED its self-check on this device (at the {failedCheck} stage): none of its text in this report is to be trusted. Sign only what you
          checked yourself.
        </p>
      )}
      {unfilled.length > 0 && (
        <p className="warning" data-testid="sign-blanks-warning">
          The report still has {unfilled.length === 1 ? 'a blank' : 'blanks'} to fill: {unfilled.join(', ')}. Tab in the report goes to the next one.
        </p>
      )}
      {question && (
        <p className="warning" data-testid="sign-question-warning">
          {question}
        </p>
      )}
      {sections && (
        <p className="warning" data-testid="sign-section-warning">
          {sections}
        </p>
      )}
      {critical && !critical.documented && (
        <p className="warning" data-testid="sign-critical-warning">
          The report names {listFindings(critical.findings)} and documents no communication to the referring clinician.{' '}
          <button type="button" onClick={onDocumentCommunication} title="Closes this form and opens the one that writes the communication into the report">
            Document communication…
          </button>
        </p>
      )}
    </>
  );
}
