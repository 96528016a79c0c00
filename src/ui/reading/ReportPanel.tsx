import { useAppStore } from '../store-context';
import { useController } from '../controller-context';
import { ReportExport } from './ReportExport';

/** The editable report: model text streams in at the end; the user's edits are never overwritten. */
export function ReportPanel() {
  const controller = useController();
  const report = useAppStore((s) => s.report);
  const streaming = useAppStore((s) => s.streaming);
  const versions = useAppStore((s) => s.versions);
  const loaded = useAppStore((s) => s.load.status === 'loaded');
  const hasImage = useAppStore((s) => s.hasImage);
  const edit = useAppStore((s) => s.editReport);
  const restore = useAppStore((s) => s.restoreVersion);
  const ready = loaded && hasImage && !streaming;
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
          <button type="button" onClick={() => void controller.stop()} disabled={!streaming} aria-keyshortcuts="Escape">
            Stop
          </button>
        </div>
      </div>
      {!loaded && <p className="muted">Load the model to generate a report.</p>}
      {loaded && !hasImage && <p className="muted">Open a chest radiograph to generate a report.</p>}
      <textarea
        aria-label="Report"
        className="report-text"
        value={report}
        onChange={(e) => edit(e.target.value)}
        placeholder="The generated report appears here. You can edit it at any time, even while it is being written."
        data-streaming={streaming === 'report'}
        spellCheck
      />
      <div className="toolbar">
        {versions.length > 0 && (
          <label>
            Earlier versions{' '}
            <select aria-label="Earlier versions" value="" onChange={(e) => e.target.value !== '' && restore(Number(e.target.value))}>
              <option value="">{versions.length} kept</option>
              {versions.map((v, i) => (
                <option key={v.createdAt + ':' + i} value={i}>
                  {new Date(v.createdAt).toLocaleTimeString()} · {v.preset} · {v.text.slice(0, 40)}
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
