import { useEffect, useState } from 'react';
import { useAppStore, useAppStoreApi } from '../store-context';
import { firstFile, openImageFile, openSampleImage } from './open-file';

/**
 * Three ways in: the "Open image" file picker, a drop anywhere on the page, and paste. Shows
 * the decode in progress and, for a file that could not be opened, why (the open study stays).
 */
export function ImageIntake() {
  const store = useAppStoreApi();
  const intake = useAppStore((s) => s.intake);
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
      const file = firstFile(e.dataTransfer);
      if (!file) return;
      e.preventDefault();
      void openImageFile(store, file);
    };
    const onPaste = (e: ClipboardEvent) => {
      const file = firstFile(e.clipboardData);
      if (!file) return; // text pastes go where they were meant to
      e.preventDefault();
      void openImageFile(store, file);
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
  }, [store]);

  return (
    <div className="intake">
      <label className="intake-open">
        <span className="button-like">Open image…</span>
        <input
          type="file"
          className="visually-hidden"
          aria-label="Open image"
          accept=".dcm,.dicom,.dic,.png,.jpg,.jpeg,application/dicom,image/png,image/jpeg"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void openImageFile(store, file);
          }}
        />
      </label>
      <button type="button" onClick={() => void openSampleImage(store)} disabled={intake.status === 'decoding'}>
        Open the sample radiograph
      </button>
      <span className="muted">or drop / paste a DICOM, PNG or JPEG</span>
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
