import { useState } from 'react';
import { buildOpenStudySr, predecessorOf, sendReport, sentAsIs, srBlocker } from '../../hospital/send-report';
import { openSignature } from '../../state/report-slice';
import { describeSignature } from '../../report/signature';
import { describeMeasurements, reportMeasurements } from '../../report/structured-measurements';
import { openImageLengths } from '../../state/study-slice';
import { useAppStore, useAppStoreApi } from '../store-context';
import { useHospital, useHospitalApi } from './use-hospital';
import './dicomweb.css';

function downloadBytes(name: string, bytes: Uint8Array): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes.slice().buffer], { type: 'application/dicom' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}

/**
 * "Send to PACS": the report as edited, as a DICOM SR (a preliminary, unverified AI draft, or once
 * the reader signed it, their final report) stored in
 * the image's study on the DICOMweb server, with the lengths drawn as a presentation state; the SR
 * also as a .dcm download. Shown for every open image:
 * a DICOM file (from the server or dropped) files in its own study, a PNG/JPEG says why it cannot.
 */
export function SendReport() {
  const app = useAppStoreApi();
  const h = useHospitalApi();
  // Re-render on what srBlocker and sentAsIs read.
  const studyKey = useAppStore((s) => s.study?.key ?? null);
  useAppStore((s) => s.report);
  useAppStore((s) => s.streaming);
  useAppStore((s) => s.imageLengths);
  useAppStore((s) => s.indication);
  const signature = useAppStore(openSignature);
  // What the SR carries as data beside the text: the reader's lengths and ratio on this image.
  const measured = useAppStore((s) => (s.study ? describeMeasurements(reportMeasurements(s.study.image, openImageLengths(s))) : ''));
  // Every length (in pixels too) goes with it as a presentation state a PACS viewer draws.
  const drawn = useAppStore((s) => openImageLengths(s).length);
  const opened = useHospital((s) => (studyKey ? s.opened[studyKey] : undefined));
  const send = useHospital((s) => s.send);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  if (!studyKey) return null;
  const replaces = opened ? predecessorOf(opened) : null;
  const blocker = srBlocker(app.getState(), h);
  const sentHere = send.status === 'done' && send.value.studyKey === studyKey;
  if (opened && !opened.source) {
    // Never sendable (a PNG/JPEG, a DICOM without UIDs): one line that says so, the why below it,
    // instead of two buttons that can never work taking the report's room.
    const why = opened.sourceProblem ?? 'The image has no DICOM header to file the report with.';
    const cut = why.indexOf('. ');
    return (
      <div className="send-report" data-testid="send-report">
        <details data-testid="send-blocked">
          <summary>Cannot be sent to PACS. {cut > 0 ? why.slice(0, cut + 1) : why}</summary>
          {cut > 0 && <p className="muted">{why.slice(cut + 2)}</p>}
        </details>
      </div>
    );
  }

  return (
    <div className="send-report" data-testid="send-report">
      <button type="button" disabled={!!blocker || send.status === 'busy'} onClick={() => void sendReport(app, h)}>
        Send to PACS
      </button>
      <button
        type="button"
        disabled={!!blocker}
        onClick={() => {
          try {
            const { sr } = buildOpenStudySr(app, h);
            downloadBytes(`cxr-report-${sr.sopInstanceUID}.dcm`, sr.bytes);
            setDownloadError(null);
          } catch (err) {
            setDownloadError(err instanceof Error ? err.message : String(err));
          }
        }}
      >
        Download SR (.dcm)
      </button>
      {/* Said once it differs from a first send of a draft (whose done line says it): signed, or replacing an SR. */}
      {!blocker && (signature || replaces) && (
        <span className="muted" data-testid="send-kind">
          {signature
            ? `Goes as your final report: ${describeSignature(signature)}.`
            : 'Goes as a preliminary, unverified AI draft; sign the report to send it as final.'}
          {replaces
            ? ` It replaces ${replaces === opened?.sent ? 'the report sent before for this image' : 'the filed report you went on from'} (named as its predecessor).`
            : ''}
        </span>
      )}
      {measured && !blocker && (
        <span className="muted" data-testid="send-measurements">
          Includes {measured} you drew, as structured measurements.
        </span>
      )}
      {drawn > 0 && !blocker && (
        <span className="muted" data-testid="send-presentation">
          {drawn === 1 ? 'The length also goes' : `The ${drawn} lengths also go`} as a presentation state, which PACS viewers draw on the image, shown in the
          window, turn and inversion you have now.
        </span>
      )}
      {blocker && (
        <span className="muted" data-testid="send-blocked">
          {blocker}
        </span>
      )}
      {send.status === 'busy' && <span role="status">{send.what}</span>}
      {sentHere && (
        <span role="status" data-testid="send-done">
          Sent to the server as {send.value.signed ? 'a signed, final' : 'a preliminary, unverified'} SR (SOP Instance UID {send.value.sopInstanceUID})
          {send.value.presentationStateUID ? `, with the lengths as a presentation state (SOP Instance UID ${send.value.presentationStateUID})` : ''}.
        </span>
      )}
      {opened?.sent && !sentAsIs(opened.sent, app.getState()) && (
        <span className="muted" data-testid="send-edited">
          Changed since it was sent (the text, the measurements or the signature); sending again files a new version.
        </span>
      )}
      {opened?.sent && sentAsIs(opened.sent, app.getState()) && !sentHere && <span className="muted">Sent earlier.</span>}
      {send.status === 'error' && (
        <span role="alert" className="dicomweb-error" data-testid="send-error" data-code={send.code}>
          {send.message}
        </span>
      )}
      {downloadError && (
        <span role="alert" className="dicomweb-error">
          {downloadError}
        </span>
      )}
    </div>
  );
}
