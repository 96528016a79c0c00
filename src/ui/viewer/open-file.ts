import { DicomwebError } from '../../dicomweb/errors';
import { hospitalStoreFor, type HospitalState } from '../../hospital/hospital-store';
import { decodeInWorker, ImagingError } from '../../imaging';
import { chooseFrontal, mayBeImage } from '../../imaging/choose-frontal';
import { groupByStudy, type Given, type StudyGroup } from '../../imaging/group-studies';
import { headerField } from '../../report/context';
import { srSourceOfFile } from '../../sr/source';
import { SAMPLE_NAME, SAMPLE_NOTE, SAMPLE_URL } from '../../session/sample';
import type { AppStore } from '../../state/store';
import type { FileSet } from '../../state/study-slice';

class SampleUnavailable extends Error {}

/** Where files that hold several studies go: the worklist (src/worklist/worklist.ts). */
export interface StudyList {
  addLocalStudies(studies: StudyGroup<File>[], o: { openFirst?: boolean } & Given): void;
}

/**
 * Files given at once, by any way in (a drop, a paste, "Open image", "Open folder"). One study
 * opens here, its frontal view (openImageFiles); several studies (a patient's PA and lateral are
 * one) go to the worklist, which opens the first and drafts the others. DICOM objects that are not
 * images (a CD's structured reports) are left out.
 */
export async function openGiven(store: AppStore, files: File[], list: StudyList, given: Given = {}): Promise<void> {
  const g = { ...given, since: given.since ?? performance.now() };
  if (files.length <= 1) return openImageFiles(store, files, g);
  // Reading the headers of a large folder takes a moment: say so ("Opening 240 files…").
  store.getState().startIntake(`${files.length} files`, g.since);
  const { studies } = await groupByStudy(files);
  if (studies.length > 1) return list.addLocalStudies(studies, { openFirst: true, ...g });
  // No image among them: tried as they are, so the user reads why the first one does not open.
  return openImageFiles(store, studies[0]?.files ?? files, g);
}

/** Opens one file into the store (file picker, drop, paste). */
export async function openImageFile(store: AppStore, file: File, since?: number): Promise<void> {
  await openImage(store, file.name || 'pasted image', () => file.arrayBuffer(), [], undefined, since);
}

/**
 * Several files given at once (file picker, drop, paste), or the image files of a folder: the
 * frontal view is opened, and the intake row and the image notes say which file that is and which
 * were not opened.
 */
export async function openImageFiles(store: AppStore, files: File[], { folders = [], since }: Given = {}): Promise<void> {
  const where = folders.length ? `the folder${folders.length > 1 ? 's' : ''} ${listed(folders)}` : null;
  if (where && !files.length) {
    const { startIntake, failIntake } = store.getState();
    const name = folders.join(', ');
    failIntake(startIntake(name, since), name, 'not-an-image', `${where[0]!.toUpperCase()}${where.slice(1)} hold${folders.length > 1 ? '' : 's'} no DICOM, PNG or JPEG files.`);
    return;
  }
  if (files.length <= 1) return files[0] ? openImageFile(store, files[0], since) : undefined;
  const origin = where ? `in ${where}` : undefined;
  const choice = await chooseFrontal(files, origin);
  const set: FileSet = { files: choice.ranked, total: files.length, origin: origin ? `image files ${origin}` : 'files given', index: 0 };
  // A file that ranks first may still not open (a report or an index without an image, a damaged
  // file): the next one is tried, a few at most, and the notes say which were passed over.
  const passedOver: string[] = [];
  for (let index = 0; index < Math.min(set.files.length, MAX_TRIES); index++) {
    const { file, label } = set.files[index]!;
    const notes = index === 0 ? (choice.note ? [choice.note] : []) : [`${label} is open, the first of ${set.total} ${set.origin} (frontal views first) that opened; passed over: ${passedOver.join(', ')}.`];
    // The next file tried counts from the drop as well: the user is still waiting for it.
    const failure = await openImage(store, file.name || 'pasted image', () => file.arrayBuffer(), notes, { ...set, index }, since);
    if (failure === null) return besideAsSet(store, { ...set, index });
    if (store.getState().intakeSeq !== failure.token) return;
    passedOver.push(label);
  }
}

/** '"A"', '"A" and "B"', '"A", "B" and "C"'. */
function listed(names: string[]): string {
  const q = names.map((n) => `"${n}"`);
  return q.length > 1 ? `${q.slice(0, -1).join(', ')} and ${q.at(-1)}` : q[0]!;
}

/** How many files of a set are tried, best ranked first, before the last one's error stands. */
const MAX_TRIES = 5;

/** Another file of the set the open image came from, as the user picked it in the intake row. */
export async function openFromSet(store: AppStore, set: FileSet, index: number): Promise<void> {
  const { file, label } = set.files[index]!;
  const note = `${label} was picked from ${set.total} ${set.origin}; CXR-LLaVA reads one frontal chest image.`;
  if ((await openImage(store, file.name || 'pasted image', () => file.arrayBuffer(), [note], { ...set, index })) === null) await besideAsSet(store, { ...set, index });
}

/** The setting "Show the other view beside…": the set's other view beside the image just opened. */
async function besideAsSet(store: AppStore, set: FileSet): Promise<void> {
  const { settings, study } = store.getState();
  // Only if that image is still the open one (another may have been opened meanwhile).
  if (settings.besideOnOpen && study?.fileSet?.files === set.files && study.fileSet.index === set.index) await showBeside(store, set);
}

/** Which file of the set goes beside the open one first: the last of the others in the ranking (the lateral after a PA). */
function besideDefault(set: Pick<FileSet, 'files' | 'index'>): number {
  return set.index === set.files.length - 1 ? set.files.length - 2 : set.files.length - 1;
}

/**
 * Another image of the files opened together beside the open one, as a reader hangs the lateral
 * beside the PA: `which` of the set's files, else the last other in its ranking (views that are not
 * frontal come last), decoded in
 * the worker and shown in the side viewer (PriorViewer, `prior` null). The model still reads the
 * open image only. Shown only beside the study it was asked for.
 */
export async function showBeside(store: AppStore, set: FileSet, which = besideDefault(set)): Promise<void> {
  const other = which !== set.index ? set.files[which] : undefined;
  if (other) await showImageBeside(store, other.label, async () => ({ bytes: await other.file.arrayBuffer(), name: other.file.name }));
}

/**
 * Another image of the open study (`label`, read by `read`: a file of the set, or an image
 * retrieved from the server) in the side viewer, decoded in the worker; what went wrong is said
 * there, and the open image stays. Shown only beside the study it was asked for.
 */
export async function showImageBeside(store: AppStore, label: string, read: () => Promise<{ bytes: ArrayBuffer; name: string }>): Promise<void> {
  const studyKey = store.getState().study?.key;
  if (!studyKey) return;
  const h = hospitalStoreFor(store);
  const still = () => h.getState().compare?.studyKey === studyKey && h.getState().compare?.prior === null && h.getState().compare?.name === label;
  const shown = (image: NonNullable<HospitalState['compare']>['image']) => h.getState().set({ compare: { studyKey, prior: null, name: label, image } });
  shown({ status: 'busy', what: `Opening ${label}…` });
  try {
    const { bytes, name } = await read();
    const { image } = await decodeInWorker(bytes, name);
    if (still()) shown({ status: 'done', value: { image, viewPosition: headerField(image, 'viewPosition') ?? null } });
  } catch (err) {
    const code = err instanceof ImagingError || err instanceof DicomwebError ? err.code : 'decode-failed';
    if (still()) shown({ status: 'error', code, message: err instanceof Error ? err.message : String(err) });
  }
}

/** The image files of a folder chosen with the "Open folder" picker, and the folder's name. */
export function folderPick(all: File[]): { files: File[]; folder: string } | null {
  if (!all.length) return null;
  const folder = all[0]!.webkitRelativePath.split('/')[0] || 'folder';
  return { files: all.filter((f) => mayBeImage(f.name)), folder };
}

/** "Open the sample radiograph": a first visit shows the whole flow without a radiograph at hand. */
export async function openSampleImage(store: AppStore): Promise<void> {
  await openImage(
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
 * shows why (the failed intake's token is returned; null when the file opened). The file's DICOM
 * header (or why it has none) is kept for the report SR, whichever way the file came: a dropped
 * DICOM's report files in its own study like one from the server.
 */
async function openImage(store: AppStore, name: string, bytes: () => Promise<ArrayBuffer>, notes: string[] = [], fileSet?: FileSet, since?: number): Promise<{ token: number } | null> {
  const { startIntake, finishIntake, failIntake } = store.getState();
  const token = startIntake(name, since);
  try {
    const data = await bytes();
    const sr = srSourceOfFile(data); // before decoding: the worker takes the bytes
    const { image, grey, ms } = await decodeInWorker(data, name);
    const latest = store.getState().intakeSeq === token;
    finishIntake(token, { fileName: name, image: notes.length ? { ...image, notes: [...image.notes, ...notes] } : image, modelInput: grey, decodeMs: ms, fileSet });
    const study = store.getState().study;
    if (latest && study) hospitalStoreFor(store).getState().markOpened(study.key, { origin: 'file', ...sr });
    return null;
  } catch (err) {
    const code = err instanceof ImagingError ? err.code : err instanceof SampleUnavailable ? 'sample-unavailable' : 'decode-failed';
    const message = err instanceof Error ? err.message : String(err);
    failIntake(token, name, code, message);
    return { token };
  }
}
