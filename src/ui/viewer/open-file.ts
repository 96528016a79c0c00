import { decodeInWorker, ImagingError } from '../../imaging';
import type { AppStore } from '../../state/store';

/**
 * Opens one file into the store: decode in the worker, then replace the study; on failure the
 * open study stays and the intake shows why.
 */
export async function openImageFile(store: AppStore, file: File): Promise<void> {
  const name = file.name || 'pasted image';
  const { startIntake, finishIntake, failIntake } = store.getState();
  const token = startIntake(name);
  try {
    const bytes = await file.arrayBuffer();
    const { image, grey, ms } = await decodeInWorker(bytes, name);
    finishIntake(token, { fileName: name, image, modelInput: grey, decodeMs: ms });
  } catch (err) {
    const code = err instanceof ImagingError ? err.code : 'decode-failed';
    const message = err instanceof Error ? err.message : String(err);
    failIntake(token, name, code, message);
  }
}

/** The first file in a drop or paste, if any. */
export function firstFile(data: DataTransfer | null): File | null {
  if (!data) return null;
  if (data.files.length) return data.files[0] ?? null;
  for (const item of Array.from(data.items)) {
    if (item.kind === 'file') return item.getAsFile();
  }
  return null;
}
