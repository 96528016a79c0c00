import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { modelFitWarning } from '../../imaging/model-fit';
import { parseFindings } from '../../report/findings';
import { blankFrom } from '../../report/phrases';
import { canContinueReport } from '../../state/report-slice';
import { useAppStore, useAppStoreApi } from '../store-context';
import { useController } from '../controller-context';
import { ClinicalQuestion } from './ClinicalQuestion';
import { CriticalResult } from './CriticalResult';
import { DraftChanges } from './DraftChanges';
import { FindingsTable } from './FindingsTable';
import { InsertPhrase } from './InsertPhrase';
import { setReportBox } from './insert-into-report';
import { SectionCheck } from './SectionCheck';
import { ReportEnd } from './ReportEnd';
import { ReportExport } from './ReportExport';
import { SignReport } from './SignReport';
import { StudyIndication } from './StudyIndication';
import { useReportUndo } from './use-report-undo';

/** The editable report: model text streams in at the end; the user's edits are never overwritten. */
export function ReportPanel() {
  const controller = useController();
  const store = useAppStoreApi();
  const report = useAppStore((s) => s.report);
  const reportPreset = useAppStore((s) => s.reportPreset);
  const streaming = useAppStore((s) => s.streaming);
  // Asked for, no word yet (its image still encoding, its prompt prefilling): Stop already applies.
  const waiting = useAppStore((s) => s.stage === 'prefill');
  const versions = useAppStore((s) => s.versions);
  const loaded = useAppStore((s) => s.load.status === 'loaded');
  const randomWeights = useAppStore((s) => s.load.status === 'loaded' && s.load.info.randomWeights);
  const hasImage = useAppStore((s) => s.hasImage);
  const verification = useAppStore((s) => s.verification.status);
  const fit = useAppStore((s) => (s.study ? modelFitWarning(s.study.image.meta) : null));
  const edit = useAppStore((s) => s.editReport);
  const setReportCaret = useAppStore((s) => s.setReportCaret);
  const restore = useAppStore((s) => s.restoreVersion);
  const signed = useAppStore((s) => s.signature !== null);
  const modelReport = useAppStore((s) => s.modelReport);
  // "Changes from the AI draft" shows in the box's place, for the study it was asked for: the next
  // image opens in the box. While text streams in, the box shows.
  const studyKey = useAppStore((s) => s.study?.key ?? null);
  const [changesFor, setChangesFor] = useState<{ study: string | null } | null>(null);
  const changesShown = changesFor?.study === studyKey && !streaming && !!modelReport?.trim();
  // A signed report is the reader's: no preset writes over it until they amend it.
  const ready = loaded && hasImage && !streaming && !signed;
  const continuable = useAppStore((s) => loaded && hasImage && canContinueReport(s));
  // Streamed text is appended by React rewriting the textarea's value, which puts the caret at the
  // end; the caret (or selection) the user had goes back where it was, so typing mid-text goes on there.
  // The caret as last seen by an edit or a caret move, with the text it belongs to.
  const box = useRef<HTMLTextAreaElement>(null);
  // The sign form's critical-result warning opens the communication form under the report.
  const [communicationAsked, setCommunicationAsked] = useState(0);
  const askCommunication = useCallback(() => setCommunicationAsked((n) => n + 1), []);
  useEffect(() => {
    setReportBox(store, box.current);
    return () => setReportBox(store, null);
  }, [store]);
  const caret = useRef<{ value: string; start: number; end: number } | null>(null);
  const remember = (el: HTMLTextAreaElement) => {
    caret.current = { value: el.value, start: el.selectionStart, end: el.selectionEnd };
    // For a line put in from elsewhere (the viewer's lengths): it goes where the user was writing.
    setReportCaret({ report: el.value, at: el.selectionEnd });
  };
  const recordEdit = useReportUndo(store, box, remember);
  // A key that moves the caret (Ctrl+Home) reaches React's onSelect only with the next
  // selectionchange task, so a token streamed in between would put the caret back where it was
  // before the key. The store tells its listeners synchronously, before React renders the new
  // value: the caret read then is the one on screen.
  useEffect(
    () =>
      store.subscribe((s, prev) => {
        const node = box.current;
        if (!node || s.report === prev.report || document.activeElement !== node || node.value !== prev.report) return;
        caret.current = { value: node.value, start: node.selectionStart, end: node.selectionEnd };
      }),
    [store],
  );
  useLayoutEffect(() => {
    const node = box.current;
    const c = caret.current;
    // Only for text appended at the end (a streamed token), never for the user's own edits.
    if (!node || !c || document.activeElement !== node || report === c.value || !report.startsWith(c.value)) return;
    node.setSelectionRange(c.start, c.end);
  }, [report]);
  const focusReportEnd = useCallback(() => {
    const node = box.current;
    if (!node) return;
    node.focus();
    node.setSelectionRange(node.value.length, node.value.length);
  }, []);
  // After a line put in from below the box: the caret after it (or `select`, a blank in it), in the box.
  const focusReportCaret = useCallback(
    (select?: { start: number; end: number }) => {
      const node = box.current;
      if (!node) return;
      const at = store.getState().reportCaret?.at ?? node.value.length;
      node.focus();
      node.setSelectionRange(select?.start ?? at, select?.end ?? at);
    },
    [store],
  );
  const findings = useMemo(() => (reportPreset === 'findings' && report.trim() ? parseFindings(report) : null), [reportPreset, report]);

  // Ctrl+Enter (⌘+Enter) generates the report, Escape stops what is streaming; anywhere on the page.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const s = store.getState();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey) {
        // In a one-line field of a form (the follow-up question) Enter submits that form.
        if (e.target instanceof HTMLInputElement && e.target.form) return;
        if (s.load.status !== 'loaded' || !s.hasImage || s.streaming || s.signature) return;
        // Ctrl+Shift+Enter: Continue, where there is a report to go on with.
        if (e.shiftKey && !canContinueReport(s)) return;
        e.preventDefault();
        void (e.shiftKey ? controller.continueReport() : controller.generateReport('report'));
      } else if (e.key === 'Escape' && (s.streaming || s.stage === 'prefill')) {
        // Escape in an open dialog closes the dialog; it does not stop generation.
        if (e.target instanceof Element && e.target.closest('dialog[open]')) return;
        e.preventDefault();
        void controller.stop();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller, store]);

  return (
    <section className="panel report" aria-labelledby="report-heading">
      <div className="panel-title">
        <h2 id="report-heading">Report</h2>
        <div className="toolbar" role="toolbar" aria-label="Report presets">
          <button type="button" onClick={() => void controller.generateReport('report')} disabled={!ready} aria-keyshortcuts="Control+Enter">
            Generate report
          </button>
          <button type="button" onClick={() => void controller.generateReport('differential')} disabled={!ready}>
            Differential diagnosis
          </button>
          <button type="button" onClick={() => void controller.generateReport('findings')} disabled={!ready} title="Asks about each of the 14 CheXpert observations">
            Findings
          </button>
          <button
            type="button"
            onClick={() => void controller.generateReport(reportPreset && reportPreset !== 'question' ? reportPreset : 'report')}
            disabled={!ready || !report.trim()}
            title="Writes the same preset again; the current text stays under Earlier versions"
          >
            Regenerate
          </button>
          <button
            type="button"
            onClick={() => void controller.continueReport()}
            disabled={!continuable}
            aria-keyshortcuts="Control+Shift+Enter"
            title="The model goes on writing from the end of the report as it is now, your edits included (not once a follow-up has been asked)"
          >
            Continue
          </button>
          <button type="button" onClick={() => void controller.stop()} disabled={!streaming && !waiting} aria-keyshortcuts="Escape">
            Stop
          </button>
        </div>
      </div>
      {!loaded && <p className="muted">Load the model to generate a report.</p>}
      {randomWeights && (
        <p className="warning" data-testid="report-demo-warning">
          Demo model with random weights: its text is meaningless. Host a converted CXR-LLaVA model to get real reports.
        </p>
      )}
      {loaded && verification !== 'verified' && (
        <p className={verification === 'failed' ? 'error-text' : 'warning'} data-testid="report-verification-warning" data-status={verification}>
          {verification === 'failed'
            ? 'The model FAILED its self-check on this device (see the model panel): its reports are not to be trusted, and every export says so.'
            : 'The model is not verified on this device (see the model panel); every export says so.'}
        </p>
      )}
      {fit && (
        <p className="warning" data-testid="report-fit-warning">
          {fit}
        </p>
      )}
      {loaded && !hasImage && <p className="muted">Open a chest radiograph to generate a report.</p>}
      <StudyIndication />
      <ClinicalQuestion />
      <DraftNotice />
      <textarea
        aria-label="Report"
        className="report-text"
        ref={box}
        value={report}
        onChange={(e) => {
          recordEdit(e);
          remember(e.target);
          edit(e.target.value);
        }}
        onSelect={(e) => remember(e.currentTarget)}
        onKeyDown={(e) => {
          // Tab / Shift+Tab: the next / previous blank to fill. With none that way, Tab moves the
          // focus on as usual, so the box never holds on to a keyboard user.
          if (e.key !== 'Tab' || e.ctrlKey || e.altKey || e.metaKey || e.nativeEvent.isComposing || signed) return;
          const el = e.currentTarget;
          const b = blankFrom(el.value, { start: el.selectionStart, end: el.selectionEnd }, e.shiftKey);
          if (!b) return;
          e.preventDefault();
          el.setSelectionRange(b.start, b.end);
          remember(el);
        }}
        placeholder="The generated report appears here. You can edit it at any time, even while it is being written."
        data-streaming={streaming === 'report'}
        readOnly={signed}
        aria-keyshortcuts="Control+Enter Control+Shift+Enter Escape"
        spellCheck
        hidden={changesShown}
      />
      {changesShown && <DraftChanges model={modelReport!} report={report} />}
      <ReportEnd />
      {findings && <FindingsTable rows={findings} />}
      <SectionCheck />
      <CriticalResult focusReport={focusReportCaret} openRequest={communicationAsked} />
      <div className="toolbar" role="toolbar" aria-label="Report actions">
        {modelReport?.trim() && !streaming && (
          <button type="button" aria-pressed={changesShown} onClick={() => setChangesFor(changesShown ? null : { study: studyKey })} title="Shows what you changed in the model's draft: removed words struck through, added words marked">
            Changes from the AI draft
          </button>
        )}
        <InsertPhrase focusReport={focusReportCaret} />
        <SignReport focusReportEnd={focusReportEnd} documentCommunication={askCommunication} />
        {versions.length > 0 && (
          <label>
            Earlier versions{' '}
            <select aria-label="Earlier versions" value="" disabled={signed} onChange={(e) => e.target.value !== '' && restore(Number(e.target.value))}>
              <option value="">{versions.length} kept</option>
              {versions.map((v, i) => (
                <option key={v.createdAt + ':' + i} value={i}>
                  {new Date(v.createdAt).toLocaleTimeString()} · {v.signedBy ? `signed by ${v.signedBy}` : v.preset} · {v.text.slice(0, 40)}
                </option>
              ))}
            </select>
          </label>
        )}
        <ReportExport />
      </div>
    </section>
  );
}

/** "Draft restored from …", until dismissed. */
function DraftNotice() {
  const notice = useAppStore((s) => s.draftNotice);
  const hasStudy = useAppStore((s) => s.study !== null);
  const dismiss = useAppStore((s) => s.setDraftNotice);
  if (!notice) return null;
  const when = new Date(notice.savedAt);
  const sameDay = when.toDateString() === new Date().toDateString();
  return (
    <div className="draft-notice" role="status" data-testid="draft-notice">
      <span>
        Draft restored from {sameDay ? when.toLocaleTimeString() : when.toLocaleString()}.
        {!hasStudy && ' Open the same image to go on with it.'}
      </span>
      <button type="button" onClick={() => dismiss(null)} aria-label="Dismiss the draft notice">
        Dismiss
      </button>
    </div>
  );
}
