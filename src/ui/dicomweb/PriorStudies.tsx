import { useEffect, useState } from 'react';
import type { StudyRow } from '../../dicomweb/records';
import { chooseStudy } from '../../hospital/open-from-server';
import { comparePrior, comparisonLine, findPriors, imagingModalities, loadPriorReports, priorsSubject } from '../../hospital/priors';
import { filedSignature, type ReadReport } from '../../sr/read-sr';
import { headerField } from '../../report/context';
import { PanelCount } from '../layout/PanelCount';
import { AgainstReport } from './AgainstReport';
import { ChosenStudy } from './ChosenStudy';
import { useAppStore, useAppStoreApi } from '../store-context';
import { useHospital, useHospitalApi } from './use-hospital';
import './dicomweb.css';
import { useInsertReportLine } from '../reading/insert-into-report';

const STATUS_WORDS: Record<ReadReport['status'], string> = {
  final: 'final',
  preliminary: 'preliminary',
  unverified: 'not verified',
  partial: 'incomplete',
};

/**
 * The open image's patient's other studies on the hospital server, newest first, with the reports
 * filed in them: read one, put a comparison line into the report, show its image beside the open
 * one (Compare), or open it in place of the open one. Looked up at
 * once for an image from the server; for a dropped DICOM file, when asked (the server may not be
 * the one the file came from, or not signed in yet).
 */
export function PriorStudies() {
  const app = useAppStoreApi();
  const h = useHospitalApi();
  const study = useAppStore((s) => s.study);
  // Nothing goes into a report that streams or that the reader signed.
  const reportLocked = useAppStore((s) => s.streaming === 'report' || s.signature !== null);
  const insertReportLine = useInsertReportLine();
  const allOpened = useHospital((s) => s.opened);
  const opened = study ? allOpened[study.key] : undefined;
  const priors = useHospital((s) => s.priors);
  const subject = priorsSubject({ study }, { opened: allOpened });
  const here = study && priors?.studyKey === study.key ? priors.studies : null;

  const fromServer = opened?.origin === 'server';
  useEffect(() => {
    if (study && fromServer && h.getState().priors?.studyKey !== study.key) void findPriors(app, h);
  }, [app, h, study, fromServer]);

  const thisDate = typeof opened?.source?.patientAndStudy.StudyDate === 'string' ? opened.source.patientAndStudy.StudyDate.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3') : '';
  return (
    <section className="panel dicomweb priors" aria-labelledby="priors-heading" data-testid="prior-studies">
      <h2 id="priors-heading">Prior studies</h2>
      {'problem' in subject ? (
        <p className="muted">{subject.problem}</p>
      ) : (
        <>
          <p className="muted">
            Patient ID {subject.patientId}
            {subject.issuer ? ` (${subject.issuer})` : ''}, on the hospital server.{' '}
            <button type="button" onClick={() => void findPriors(app, h)} disabled={here?.status === 'busy'}>
              {here ? 'Look again' : 'Look up prior studies'}
            </button>
          </p>
          <OwnReports studyUID={subject.studyUID} />
          {here?.status === 'busy' && <p role="status">{here.what}</p>}
          {here?.status === 'error' && (
            <p role="alert" className="dicomweb-error" data-testid="priors-error" data-code={here.code}>
              {here.message}
            </p>
          )}
          {here?.status === 'done' && here.value.length === 0 && <p role="status">No other studies of this patient on the server.</p>}
          {here?.status === 'done' && here.value.length > 0 && (
            <ul className="priors-list" aria-label="Prior studies of this patient">
              {here.value.map((p) => (
                <Prior
                  key={p.studyUID}
                  prior={p}
                  later={!!thisDate && !!p.date && p.date > thisDate}
                  onCompare={reportLocked ? null : () => insertReportLine(comparisonLine(p))}
                  onOpen={() => void chooseStudy(app, h, p)}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

interface PriorProps {
  prior: StudyRow;
  /** Dated after the open study: a follow-up, not a prior. */
  later: boolean;
  /** Puts the comparison line into the report; null while the report is being written. */
  onCompare: (() => void) | null;
  onOpen: () => void;
}

function Prior({ prior, later, onCompare, onOpen }: PriorProps) {
  const app = useAppStoreApi();
  const h = useHospitalApi();
  const chosenHere = useHospital((s) => s.chosen?.study.studyUID === prior.studyUID);
  const [shown, setShown] = useState(false);
  const name = `${prior.date || 'undated'} ${imagingModalities(prior)}`.trim();
  return (
    <li data-study-uid={prior.studyUID}>
      <div className="prior-row">
        <span>
          <strong>{prior.date || 'Undated'}</strong> {prior.modalities.join(', ')} {prior.description}
          {later && <span className="muted"> (later than the open study)</span>}
        </span>
        <span className="prior-actions">
          <button
            type="button"
            aria-expanded={shown}
            aria-label={`Reports of the study of ${name}`}
            onClick={() => {
              setShown(!shown);
              if (!shown) void loadPriorReports(h, prior.studyUID);
            }}
          >
            Reports
          </button>
          <button type="button" disabled={!onCompare} onClick={onCompare ?? undefined} aria-label={`Add comparison with the study of ${name} to the report`}>
            Add comparison
          </button>
          <button type="button" onClick={() => void comparePrior(app, h, prior)} aria-label={`Compare the study of ${name} beside the open image`}>
            Compare
          </button>
          <button type="button" onClick={onOpen} aria-label={`Open the images of the study of ${name}`}>
            Open
          </button>
        </span>
      </div>
      {/* Opened from here: its images listed, or why it cannot be opened. */}
      {chosenHere && <ChosenStudy />}
      {shown && <StudyReportsView studyUID={prior.studyUID} />}
    </li>
  );
}

/** The reports already filed in the open study itself (a draft sent before, a colleague's report), read again each time they are shown. */
function OwnReports({ studyUID }: { studyUID: string }) {
  const h = useHospitalApi();
  const [shown, setShown] = useState<string | null>(null);
  const open = shown === studyUID;
  return (
    <div className="own-reports" data-testid="own-reports">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => {
          setShown(open ? null : studyUID);
          if (!open) void loadPriorReports(h, studyUID, { again: true });
        }}
      >
        Reports already filed in this study
      </button>
      {open && <StudyReportsView studyUID={studyUID} own />}
    </div>
  );
}

/**
 * The reports filed in a study, as read (loadPriorReports), or why there are none to show. `own`:
 * the open study's, where a draft this app filed (from this or another workstation) can be gone on from.
 */
function StudyReportsView({ studyUID, own = false }: { studyUID: string; own?: boolean }) {
  const reports = useHospital((s) => s.priorReports[studyUID]);
  const app = useAppStoreApi();
  const h = useHospitalApi();
  const streaming = useAppStore((s) => s.streaming !== null);
  const signed = useAppStore((s) => s.signature !== null);
  // The draft taken, and whether a report was there before it (kept under Earlier versions).
  const [taken, setTaken] = useState<{ uid: string; kept: boolean } | null>(null);
  if (!reports || reports.status === 'idle') return null;
  if (reports.status === 'busy') return <p role="status">{reports.what}</p>;
  if (reports.status === 'error') {
    return (
      <p role="alert" className="dicomweb-error" data-code={reports.code}>
        {reports.message}
      </p>
    );
  }
  const { reports: read, unreadable } = reports.value;
  return (
    <>
      {read.length === 0 && !unreadable && <p className="muted">No report is filed in this study.</p>}
      {unreadable > 0 && (
        <p className="muted">{unreadable === 1 ? 'One SR object in this study could not be read as a report.' : `${unreadable} SR objects in this study could not be read as reports.`}</p>
      )}
      {read.map((r) => (
        <article key={r.sopInstanceUID} className="prior-report" data-testid="prior-report" data-status={r.status}>
          <p className="muted">
            {r.title}
            {r.date ? `, ${r.date}` : ''} — {STATUS_WORDS[r.status]}
            {r.author ? `, ${r.status === 'final' ? 'signed by' : 'by'} ${r.author}` : ''}
          </p>
          <pre className="prior-report-text">{r.text}</pre>
          {/* Its findings, not the words of its order ("? pneumothorax" is no finding). */}
          {!own && <AgainstReport prior={r.reported} />}
          {own && r.draft !== null && (
            <p>
              <button
                type="button"
                disabled={streaming || signed}
                onClick={() => {
                  const { report, takeReport, study, setIndication } = app.getState();
                  // A signed report goes on as its amendment: signing again says so, and the SR sent names it as the predecessor.
                  takeReport(r.draft!, filedSignature(r) ?? undefined);
                  // Its reason for the study comes with it, where it said more than the file does.
                  if (r.indication) setIndication(r.indication === headerField(study?.image ?? null, 'indication') ? null : r.indication);
                  if (study) h.getState().markContinued(study.key, { seriesInstanceUID: r.seriesInstanceUID, sopInstanceUID: r.sopInstanceUID, sopClassUID: r.sopClassUID });
                  setTaken({ uid: r.sopInstanceUID, kept: report.trim() !== '' && report !== r.draft });
                }}
                title="Puts this draft's text in as the report, to edit and send again; the report you have now stays under Earlier versions"
              >
                {r.status === 'final' ? 'Continue from this report' : 'Continue from this draft'}
              </button>{' '}
              {taken?.uid === r.sopInstanceUID && (
                <span role="status" className="muted">
                  It is the report now{taken.kept ? '; what you had is under Earlier versions' : ''}.
                </span>
              )}
            </p>
          )}
        </article>
      ))}
    </>
  );
}

/** The count on the panel's toggle, once the open study's priors are known. */
export function PriorsCount() {
  const study = useAppStore((s) => s.study);
  const count = useHospital((s) => (study && s.priors?.studyKey === study.key && s.priors.studies.status === 'done' ? s.priors.studies.value.length : 0));
  return <PanelCount count={count} testId="priors-count" />;
}
