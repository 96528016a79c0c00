import { useEffect, useState } from 'react';
import { useAppStore, useAppStoreApi } from '../store-context';
import { takeDropped } from './dropped-files';
import { useWorklist } from '../worklist/use-worklist';
import { openCompare } from '../../hospital/priors';
import { useHospital, useHospitalApi } from '../dicomweb/use-hospital';
import { folderPick, openFromSet, openGiven, openSampleImage, showBeside } from './open-file';

/**
 * The ways in: the "Open image" file picker (one file or several), "Open folder" (a CD's or an
 * export's folder), a drop anywhere on the page (files or folders), and paste. Several files of
 * one study open its frontal view and say so; several studies go to the worklist (openGiven).
 * Shows the decode in progress and, for a file that could not be opened, why (the open study
 * stays).
 */
export function ImageIntake() {
  const store = useAppStoreApi();
  const worklist = useWorklist();
  const intake = useAppStore((s) => s.intake);
  const fileSet = useAppStore((s) => s.study?.fileSet);
  const study = useAppStore((s) => s.study);
  const h = useHospitalApi();
  // Another image of the set shown beside the open one (its lateral), not a prior.
  const besideShown = useHospital((s) => openCompare({ study }, s)?.prior === null);
  const dismiss = useAppStore((s) => s.dismissIntakeError);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onDrop = (e: DragEvent) => {
      depth = 0;
      setDragging(false);
      if (!Array.from(e.dataTransfer?.items ?? []).some((item) => item.kind === 'file')) return;
      e.preventDefault();
      const since = performance.now();
      const dropped = takeDropped(e.dataTransfer);
      void dropped().then(({ files, folders }) => openGiven(store, files, worklist, { folders, since }));
    };
    const onPaste = (e: ClipboardEvent) => {
      if (!Array.from(e.clipboardData?.items ?? []).some((item) => item.kind === 'file')) return; // text pastes go where they were meant to
      e.preventDefault();
      const since = performance.now();
      const pasted = takeDropped(e.clipboardData);
      void pasted().then(({ files, folders }) => openGiven(store, files, worklist, { folders, since }));
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('paste', onPaste);
    };
  }, [store, worklist]);

  return (
    <div className={`intake${fileSet ? ' has-set' : ''}`}>
      {/* No `accept` filter: DICOM files often have no extension (IM000001 on a CD), and some systems'
          dialogs grey out what a filter does not name. What is not an image is refused with a message. */}
      <FilePicker
        label="Open image"
        title="DICOM (with or without an extension), PNG or JPEG; of several files, the frontal view opens"
        input={{ multiple: true }}
        onFiles={(files) => void openGiven(store, files, worklist)}
      />
      {/* A CD's or an export's folder: its image files are found and the frontal view opened. */}
      <FilePicker
        label="Open folder"
        // Chrome's own prompt says "upload": the privacy promise needs saying where the user decides.
        title={'Chrome will ask whether to "upload" the folder to this site: the files are only read in this tab, and nothing leaves your computer.'}
        input={{ webkitdirectory: '' }}
        onFiles={(files) => {
          const pick = folderPick(files);
          if (pick) void openGiven(store, pick.files, worklist, { folders: [pick.folder] });
        }}
      />
      {/* Its shorter label where the viewer column is narrow (a side panel open), so the row stays one line. */}
      <button type="button" aria-label="Open the sample radiograph" onClick={() => void openSampleImage(store)} disabled={intake.status === 'decoding'}>
        <span className="label-long">Open the sample radiograph</span>
        <span className="label-short">Sample radiograph</span>
      </button>
      {fileSet ? (
        <>
          {/* One line that gives way (viewer.css: .intake-choice): a second would take height from the viewer. */}
          <label className="muted intake-choice" data-testid="intake-choice">
            {`${fileSet.total} ${fileSet.origin}: `}
            <select aria-label="Image of the set" value={fileSet.index} onChange={(e) => void openFromSet(store, fileSet, Number(e.target.value))} disabled={intake.status === 'decoding'}>
              {fileSet.files.map((f, i) => (
                <option key={i} value={i}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          {fileSet.files.length > 1 && (
            <button
              type="button"
              aria-pressed={besideShown}
              onClick={() => (besideShown ? h.getState().set({ compare: null }) : void showBeside(store, fileSet))}
              title="Shows the set's other view (the lateral, when there is one) beside the open image; the model reads the open image only"
            >
              Beside
            </button>
          )}
        </>
      ) : (
        <span className="muted intake-hint">or drop / paste a DICOM, PNG or JPEG, or a folder</span>
      )}
      {intake.status === 'decoding' && (
        <span className="intake-status" role="status" data-testid="intake-status">
          Opening {intake.fileName}…
        </span>
      )}
      {intake.status === 'error' && (
        <div className="intake-error" role="alert" data-testid="intake-error" data-code={intake.code}>
          <span>
            <strong>Not opened.</strong> {intake.message}
          </span>
          <button type="button" onClick={dismiss} aria-label="Dismiss error">
            ×
          </button>
        </div>
      )}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop to open
        </div>
      )}
    </div>
  );
}

/** A button that opens the browser's file chooser (a label around a hidden file input). */
function FilePicker({ label, title, input, onFiles }: { label: string; title?: string; input: Record<string, string | boolean>; onFiles: (files: File[]) => void }) {
  return (
    <label className="intake-open" title={title}>
      <span className="button-like">{label}…</span>
      <input
        type="file"
        className="visually-hidden"
        aria-label={label}
        {...input}
        onChange={(e) => {
          // Copied before the value is cleared (which empties the list), so the same file can be chosen again.
          const chosen = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (chosen.length) onFiles(chosen);
        }}
      />
    </label>
  );
}
