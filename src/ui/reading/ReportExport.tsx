import { Fragment, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import { localDate, PRESET_TITLES } from '../../report/context';
import { reportDocument, studyPatient } from '../../report/document';
import { buildDiagnosticReport, fhirJson } from '../../report/fhir';
import { checkDiagnosticReport, formatIssues } from '../../report/fhir-check';
import { measurementLines, measurementsHeading } from '../../report/structured-measurements';
import { exportFile, exportNotice, headerFacts } from '../../report/text-export';
import { useAppStore, useAppStoreApi } from '../store-context';
import { FindingsTable } from './FindingsTable';
import './reading-extras.css';

function download(name: string, mime: string, content: string): void {
  const blob = new Blob([content], { type: mime });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}

/** Copy, .txt / .md / FHIR exports and Print. Patient identifiers go out only when ticked. */
export function ReportExport() {
  const store = useAppStoreApi();
  const hasText = useAppStore((s) => s.report.trim() !== '');
  const hasIdentifiers = useAppStore((s) => studyPatient(s) !== null);
  const [withIdentifiers, setWithIdentifiers] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const say = (text: string, error = false) => {
    setMessage({ text, error });
    if (!error) setTimeout(() => setMessage((m) => (m?.text === text ? null : m)), 2000);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(store.getState().report);
      say('Copied');
    } catch (err) {
      say(`Copy failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
  };
  const exportText = (format: 'txt' | 'md') => {
    const f = exportFile(reportDocument(store.getState()), format);
    download(f.name, f.mime, f.content);
  };
  const exportFhir = () => {
    const s = store.getState();
    const patient = withIdentifiers ? studyPatient(s) : null;
    const report = buildDiagnosticReport(reportDocument(s), patient ? { patient } : {});
    // Checked before it leaves: a file that a FHIR server would refuse is not offered.
    const check = checkDiagnosticReport(JSON.parse(fhirJson(report)));
    if (!check.valid) return say(`FHIR export failed its R4 check:\n${formatIssues(check.issues)}`, true);
    download(`cxr-report-${localDate(new Date())}.fhir.json`, 'application/fhir+json', fhirJson(report));
  };

  return (
    <span className="export" role="group" aria-label="Export">
      <button type="button" onClick={() => void copy()} disabled={!hasText}>
        Copy
      </button>
      <button type="button" onClick={() => exportText('txt')} disabled={!hasText}>
        Export .txt
      </button>
      <button type="button" onClick={() => exportText('md')} disabled={!hasText}>
        Export .md
      </button>
      <button type="button" onClick={exportFhir} disabled={!hasText} title="A FHIR R4 DiagnosticReport (preliminary); the lengths and the cardiothoracic ratio you drew go in as Observations">
        Export FHIR
      </button>
      <label className="export-options" title="Patient name, ID, birth date and sex from the DICOM file, in a contained Patient">
        <input type="checkbox" checked={withIdentifiers && hasIdentifiers} disabled={!hasIdentifiers} onChange={(e) => setWithIdentifiers(e.target.checked)} />
        Include patient identifiers (FHIR)
      </label>
      <button type="button" onClick={() => window.print()} disabled={!hasText}>
        Print
      </button>
      <span role="status" data-testid="export-message" className={`export-message ${message?.error ? 'error-text' : 'muted'}`}>
        {message?.text ?? ''}
      </span>
      <PrintSheet />
    </span>
  );
}

/**
 * What Print prints: the disclaimer (or that the reader signed it), the text exports' header and the report (and the findings table), rendered
 * beside the app root so the print stylesheet can hide everything else.
 */
function PrintSheet() {
  const report = useAppStore((s) => s.report);
  const reportPreset = useAppStore((s) => s.reportPreset);
  const load = useAppStore((s) => s.load);
  const model = useAppStore((s) => s.model);
  const study = useAppStore((s) => s.study);
  const verification = useAppStore((s) => s.verification);
  const imageLengths = useAppStore((s) => s.imageLengths);
  const signature = useAppStore((s) => s.signature);
  const indication = useAppStore((s) => s.indication);
  const doc = useMemo(
    () => reportDocument({ report, reportPreset, load, model, study, verification, imageLengths, signature, indication }),
    [report, reportPreset, load, model, study, verification, imageLengths, signature, indication],
  );
  const measured = doc.measurements ? measurementLines(doc.measurements) : [];
  return createPortal(
    <article className="print-sheet" aria-hidden="true">
      <p className="print-banner">{exportNotice(doc)}.</p>
      <h1>Chest radiograph — {PRESET_TITLES[doc.preset ?? 'report']}</h1>
      <dl>
        {headerFacts(doc).map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd data-testid={k === 'Warning' ? 'print-fit-warning' : undefined}>{v}</dd>
          </Fragment>
        ))}
      </dl>
      <p className="print-text">{doc.text}</p>
      {doc.findings && <FindingsTable rows={doc.findings} caption={false} testId="print-findings-table" />}
      {measured.length > 0 && (
        <section data-testid="print-measurements">
          <p>{measurementsHeading(doc.measurements!)}:</p>
          <ul>
            {measured.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </section>
      )}
    </article>,
    document.body,
  );
}
