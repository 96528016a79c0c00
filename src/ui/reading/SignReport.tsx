import { useEffect, useRef, useState, type FormEvent } from 'react';
import { changedSince, describeSignature, describeSigner, readerName, readerProblem, reportSignProblem, type Reader } from '../../report/signature';
import { useAppStore } from '../store-context';
import { SignChecks } from './SignChecks';

const NO_READER: Reader = { family: '', given: '', prefix: '', organization: '' };

/**
 * Signing the report, among the report's actions: the reader makes the draft their final report.
 * The form asks who signs (remembered on this device for next time) and says how much of the
 * model's draft they are signing; once signed the report is read-only until Amend, and every
 * export and the SR sent to PACS say who signed it and when.
 */
export function SignReport({ focusReportEnd, documentCommunication }: { focusReportEnd: () => void; documentCommunication: () => void }) {
  const signature = useAppStore((s) => s.signature);
  const amending = useAppStore((s) => s.amending);
  const streaming = useAppStore((s) => s.streaming === 'report');
  const canSign = useAppStore((s) => s.report.trim() !== '') && !streaming;
  const saved = useAppStore((s) => s.settings.reader);
  const report = useAppStore((s) => s.report);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const sign = useAppStore((s) => s.signReport);
  const amend = useAppStore((s) => s.amendReport);
  const keepSignature = useAppStore((s) => s.keepSignature);
  const [form, setForm] = useState<Reader | null>(null);
  // Focus follows the step: the form's first field, the Amend button once signed, Sign again after amending.
  const after = useRef<'signed' | 'amended' | 'addendum' | 'cancelled' | null>(null);
  const amendButton = useRef<HTMLButtonElement>(null);
  const signButton = useRef<HTMLButtonElement>(null);
  // Ctrl+Shift+S (⌘+Shift+S) opens the form from anywhere on the page, the name filled in when known, so Enter signs.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing || !(e.ctrlKey || e.metaKey) || !e.shiftKey || e.altKey || e.key.toLowerCase() !== 's') return;
      e.preventDefault();
      if (!signature && canSign && !form) setForm(saved ?? NO_READER);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [signature, canSign, form, saved]);
  useEffect(() => {
    if (after.current === 'signed') amendButton.current?.focus();
    if (after.current === 'amended' || after.current === 'cancelled') signButton.current?.focus();
    // An addendum is typed at once, after the "Addendum:" the report now ends with.
    if (after.current === 'addendum') focusReportEnd();
    after.current = null;
  }, [signature, form, focusReportEnd]);

  if (signature) {
    return (
      <div className="signature wide signed" role="status" data-testid="report-signed">
        <span>
          <strong>{describeSignature(signature)}.</strong> Final and read-only.
        </span>
        <button
          type="button"
          ref={amendButton}
          onClick={() => {
            after.current = 'addendum';
            amend({ addendum: true });
          }}
          title="Adds to the signed report, its text unchanged: signing again marks it as having an addendum"
        >
          Add addendum
        </button>
        <button
          type="button"
          onClick={() => {
            after.current = 'amended';
            amend();
          }}
          title="Reopens the report for changes; the signed text stays under Earlier versions, and signing again marks it amended"
        >
          Amend
        </button>
      </div>
    );
  }

  // What is wrong with the report comes first: the name can wait.
  const problem = form ? (reportSignProblem(report) ?? readerProblem(form)) : null;
  const cancel = () => {
    after.current = 'cancelled';
    setForm(null);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!form || problem || !canSign) return;
    const reader = { family: form.family.trim(), given: form.given.trim(), prefix: form.prefix.trim(), organization: form.organization.trim() };
    updateSettings({ reader });
    after.current = 'signed';
    sign(reader);
    setForm(null);
  };
  const field = (key: keyof Reader, label: string, autoComplete: string, first = false) => (
    <label>
      {label}
      <input
        value={form![key]}
        onChange={(e) => setForm({ ...form!, [key]: e.target.value })}
        autoComplete={autoComplete}
        autoFocus={first}
        spellCheck={false}
      />
    </label>
  );

  return (
    <div className={`signature${form || amending ? ' wide' : ''}`}>
      {amending && (
        <div className="toolbar">
          <p className="muted" data-testid="report-amending">
            Amending the report signed by {describeSigner(amending)}; sign it again when done.
          </p>
          {!form && (
            <button
              type="button"
              disabled={streaming}
              onClick={() => {
                after.current = 'signed';
                keepSignature();
              }}
              title="Puts the signed report back as it was, with its signature; anything written since stays under Earlier versions"
            >
              Cancel amending
            </button>
          )}
        </div>
      )}
      {!form ? (
        <button
          type="button"
          ref={signButton}
          disabled={!canSign}
          onClick={() => setForm(saved ?? NO_READER)}
          title="Makes the report your final, signed report (Ctrl+Shift+S)"
          aria-keyshortcuts="Control+Shift+S"
        >
          Sign report…
        </button>
      ) : (
        <form className="sign-form" aria-label="Sign the report" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && (e.preventDefault(), cancel())}>
          <p className="muted">
            Signed, the report is yours, final and read-only; every export and the SR say so, and still name the model that drafted it.
          </p>
          {amending && !reportSignProblem(report) && !changedSince(amending.text, report) && (
            <p className="muted" data-testid="sign-unchanged">
              Nothing has changed since {describeSigner(amending)} signed it: signing puts that signature back as it was.
            </p>
          )}
          <SignChecks
            onDocumentCommunication={() => {
              // The communication form takes the focus; this one closes without moving it.
              after.current = null;
              setForm(null);
              documentCommunication();
            }}
          />
          <div className="sign-fields">
            {field('prefix', 'Title', 'honorific-prefix', !saved)}
            {field('given', 'Given name', 'given-name')}
            {field('family', 'Family name', 'family-name')}
            {field('organization', 'Organization', 'organization')}
          </div>
          {problem && (
            <p className="muted" data-testid="sign-problem">
              {problem}
            </p>
          )}
          <div className="toolbar">
            <button type="submit" disabled={!!problem || !canSign} autoFocus={!!saved}>
              Sign as {form.family.trim() ? readerName(form) : '…'}
            </button>
            <button type="button" onClick={cancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
