import { hospitalStoreFor } from '../../hospital/hospital-store';
import { decodeInWorker, ImagingError } from '../../imaging';
import { srSourceOfFile } from '../../sr/source';
import { SAMPLE_NAME, SAMPLE_NOTE, SAMPLE_URL } from '../../session/sample';
import type { AppStore } from '../../state/store';

class SampleUnavailable extends Error {}

/** Opens one file into the store (file picker, drop, paste). */
export function openImageFile(store: AppStore, file: File): Promise<void> {
  return openImage(store, file.name || 'pasted image', () => file.arrayBuffer());
}

/** "Open the sample radiograph": a first visit shows the whole flow without a radiograph at hand. */
export function openSampleImage(store: AppStore): Promise<void> {
  return openImage(
    store,
    SAMPLE_NAME,
    async () => {
      const res = await fetch(SAMPLE_URL).catch(() => null);
      if (!res?.ok) {
        throw new SampleUnavailable(`The sample radiograph could not be loaded${res ? ` (HTTP ${res.status})` : ''}. Reload the page while online once, then it works offline.`);
      }
      return res.arrayBuffer();
    },
    [SAMPLE_NOTE],
  );
}

/**
 * Decode in the worker, then replace the study; on failure the open study stays and the intake
 * shows why. The file's DICOM header (or why it has none) is kept for the report SR, whichever way
 * the file came: a dropped DICOM's report files in its own study like one from the server.
 */
async function openImage(store: AppStore, name: string, bytes: () => Promise<ArrayBuffer>, notes: string[] = []): Promise<void> {
  const { startIntake, finishIntake, failIntake } = store.getState();
  const token = startIntake(name);
  try {
    const data = await bytes();
    const sr = srSourceOfFile(data); // before decoding: the worker takes the bytes
    const { image, grey, ms } = await decodeInWorker(data, name);
    const latest = store.getState().intakeSeq === token;
    finishIntake(token, { fileName: name, image: notes.length ? { ...image, notes: [...image.notes, ...notes] } : image, modelInput: grey, decodeMs: ms });
    const study = store.getState().study;
    if (latest && study) hospitalStoreFor(store).getState().markOpened(study.key, { origin: 'file', ...sr });
  } catch (err) {
    const code = err instanceof ImagingError ? err.code : err instanceof SampleUnavailable ? 'sample-unavailable' : 'decode-failed';
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
