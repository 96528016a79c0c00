import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { communicationProblem, communicationSentence, listFindings, METHODS, type Method } from '../../report/critical-results';
import { readerName } from '../../report/signature';
import { useAppStore } from '../store-context';
import { useReportChecks } from './report-checks';
import { useInsertReportLine } from './insert-into-report';

/** "2026-12-07T14:32" in local time, as <input type="datetime-local"> takes it. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * A reminder under the report when it names a finding that may need to reach the referring
 * clinician at once (report/critical-results.ts), until the report documents that it did.
 * **Document communication…** writes that sentence into the report where the caret was: what, to
 * whom, how, when, by whom, read back or not. The reader decides; nothing is sent anywhere.
 */
export function CriticalResult({ focusReport, openRequest }: { focusReport: () => void; openRequest: number }) {
  const { critical } = useReportChecks();
  const signed = useAppStore((s) => s.signature !== null);
  const reader = useAppStore((s) => s.settings.reader);
  const insertReportLine = useInsertReportLine();
  const [form, setForm] = useState<{ recipient: string; method: Method; when: string; by: string; readBack: boolean } | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const open = useCallback(
    () => setForm({ recipient: '', method: 'by telephone', when: localInput(Date.now()), by: reader ? readerName(reader) : '', readBack: false }),
    [reader],
  );
  // Asked for from elsewhere (the sign form's warning): the form opens, its first field focused.
  const asked = useRef(openRequest);
  useEffect(() => {
    if (openRequest === asked.current) return;
    asked.current = openRequest;
    open();
  }, [openRequest, open]);
  if (!critical || critical.documented || signed) return null;
  const { findings } = critical;
  const at = form ? new Date(form.when).getTime() : NaN;
  const problem = form ? communicationProblem({ recipient: form.recipient, at }) : null;
  const close = () => {
    setForm(null);
    requestAnimationFrame(() => opener.current?.focus());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!form || problem) return;
    insertReportLine(communicationSentence({ findings, recipient: form.recipient, method: form.method, at, by: form.by, readBack: form.readBack }));
    setForm(null);
    // This reminder goes with it: the reader goes on writing after the sentence.
    requestAnimationFrame(() => focusReport());
  };
  const immediate = findings.some((f) => f.urgency === 'immediate');
  return (
    <div className="critical-result" data-testid="critical-result">
      <p className={immediate ? 'error-text' : 'warning'}>
        <strong>Possible critical result: {listFindings(findings)}.</strong>{' '}
        {immediate ? 'The referring clinician needs telling at once' : 'The referring clinician may need telling within hours'}; the report documents no
        communication.
      </p>
      {!form ? (
        <button
          type="button"
          ref={opener}
          onClick={open}
          title="Writes who was told what, how and when into the report, where the caret is"
        >
          Document communication…
        </button>
      ) : (
        <form className="critical-form" aria-label="Document the communication" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && (e.preventDefault(), close())}>
          <div className="critical-fields">
            <label>
              Recipient
              <input value={form.recipient} onChange={(e) => setForm({ ...form, recipient: e.target.value })} placeholder="Dr A Smith, Emergency Department" autoFocus />
            </label>
            <label>
              How
              {/* Named outright: a label around a select would take the chosen option into its name. */}
              <select aria-label="How" value={form.method} onChange={(e) => setForm({ ...form, method: e.target.value as Method })}>
                {METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </label>
            <label>
              When
              <input type="datetime-local" value={form.when} onChange={(e) => setForm({ ...form, when: e.target.value })} />
            </label>
            <label>
              Told by
              <input value={form.by} onChange={(e) => setForm({ ...form, by: e.target.value })} autoComplete="name" />
            </label>
          </div>
          <label className="critical-read-back">
            <input type="checkbox" checked={form.readBack} onChange={(e) => setForm({ ...form, readBack: e.target.checked })} /> Read back and confirmed
          </label>
          {problem && (
            <p className="muted" data-testid="critical-problem">
              {problem}
            </p>
          )}
          <div className="toolbar">
            <button type="submit" disabled={!!problem}>
              Add to report
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
