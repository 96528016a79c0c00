import { hospitalStoreFor } from '../../hospital/hospital-store';
import { decodeInWorker, ImagingError } from '../../imaging';
import { chooseFrontal, mayBeImage } from '../../imaging/choose-frontal';
import { srSourceOfFile } from '../../sr/source';
import { SAMPLE_NAME, SAMPLE_NOTE, SAMPLE_URL } from '../../session/sample';
import type { AppStore } from '../../state/store';
import type { FileSet } from '../../state/study-slice';

class SampleUnavailable extends Error {}

/** Opens one file into the store (file picker, drop, paste). */
export function openImageFile(store: AppStore, file: File): Promise<void> {
  return openImage(store, file.name || 'pasted image', () => file.arrayBuffer());
}

/**
 * Several files given at once (file picker, drop, paste), or the image files of a folder: the
 * frontal view is opened, and the intake row and the image notes say which file that is and which
 * were not opened.
 */
export async function openImageFiles(store: AppStore, files: File[], folder: string | null = null): Promise<void> {
  if (folder !== null && !files.length) {
    const { startIntake, failIntake } = store.getState();
    const where = folder === 'the dropped folders' ? folder : `the folder "${folder}"`;
    failIntake(startIntake(folder), folder, 'not-an-image', `${where[0]!.toUpperCase()}${where.slice(1)} holds no DICOM, PNG or JPEG files.`);
    return;
  }
  if (files.length <= 1) return files[0] ? openImageFile(store, files[0]) : undefined;
  const origin = folder === null ? undefined : folder === 'the dropped folders' ? 'in the dropped folders' : `in the folder "${folder}"`;
  const choice = await chooseFrontal(files, origin);
  const set: FileSet = { files: choice.ranked, total: files.length, origin: origin ? `image files ${origin}` : 'files given', index: 0 };
  return openImage(store, choice.file.name || 'pasted image', () => choice.file.arrayBuffer(), choice.note ? [choice.note] : [], set);
}

/** Another file of the set the open image came from, as the user picked it in the intake row. */
export function openFromSet(store: AppStore, set: FileSet, index: number): Promise<void> {
  const { file, label } = set.files[index]!;
  const note = `${label} was picked from ${set.total} ${set.origin}; CXR-LLaVA reads one frontal chest image.`;
  return openImage(store, file.name || 'pasted image', () => file.arrayBuffer(), [note], { ...set, index });
}

/** The image files of a folder chosen with the "Open folder" picker, and the folder's name. */
export function folderPick(all: File[]): { files: File[]; folder: string } | null {
  if (!all.length) return null;
  const folder = all[0]!.webkitRelativePath.split('/')[0] || 'folder';
  return { files: all.filter((f) => mayBeImage(f.name)), folder };
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
async function openImage(store: AppStore, name: string, bytes: () => Promise<ArrayBuffer>, notes: string[] = [], fileSet?: FileSet): Promise<void> {
  const { startIntake, finishIntake, failIntake } = store.getState();
  const token = startIntake(name);
  try {
    const data = await bytes();
    const sr = srSourceOfFile(data); // before decoding: the worker takes the bytes
    const { image, grey, ms } = await decodeInWorker(data, name);
    const latest = store.getState().intakeSeq === token;
    finishIntake(token, { fileName: name, image: notes.length ? { ...image, notes: [...image.notes, ...notes] } : image, modelInput: grey, decodeMs: ms, fileSet });
    const study = store.getState().study;
    if (latest && study) hospitalStoreFor(store).getState().markOpened(study.key, { origin: 'file', ...sr });
  } catch (err) {
    const code = err instanceof ImagingError ? err.code : err instanceof SampleUnavailable ? 'sample-unavailable' : 'decode-failed';
    const message = err instanceof Error ? err.message : String(err);
    failIntake(token, name, code, message);
  }
}
