import { peekHeader, type HeaderPeek } from './peek-header';

/**
 * DICOM objects that are never an image to read: structured reports, presentation states, key
 * object selections, encapsulated documents, registrations, segmentations, RT plans and the like.
 * A CD or a PACS export carries them beside the images.
 */
const NOT_IMAGES = new Set(['SR', 'PR', 'KO', 'DOC', 'REG', 'SEG', 'RTSTRUCT', 'RTPLAN', 'RTDOSE', 'RWV', 'FID', 'AU', 'ECG', 'HD', 'PLAN']);

const READS_AT_ONCE = 16;

/**
 * How files were given: the folders they were found in (named in the notes), and when the user gave
 * them (performance.now() at the drop or the pick): drop → first token counts the folder walk and
 * the header reads too.
 */
export interface Given {
  folders?: string[];
  since?: number;
}

export interface StudyGroup<F> {
  /** The study's files, in the order they were given. */
  files: F[];
  /** The header of its first DICOM file (null: a PNG or JPEG, each its own study). */
  header: HeaderPeek | null;
}

/**
 * Files given at once, as studies: DICOM files by their Study Instance UID (a PA and a lateral are
 * one study, and CXR-LLaVA reads its frontal view), every other file a study of its own (a PNG or
 * JPEG says nothing of its study). DICOM objects that are not images are left out. Studies come in
 * the order of their first file.
 */
export async function groupByStudy<F extends Blob>(files: readonly F[]): Promise<{ studies: StudyGroup<F>[]; notImages: F[] }> {
  // A CD may hold thousands of files: a few reads at a time, not thousands of slices at once.
  const headers: (HeaderPeek | null)[] = [];
  for (let i = 0; i < files.length; i += READS_AT_ONCE) headers.push(...(await Promise.all(files.slice(i, i + READS_AT_ONCE).map((f) => peekHeader(f)))));
  const studies: StudyGroup<F>[] = [];
  const byUid = new Map<string, StudyGroup<F>>();
  const notImages: F[] = [];
  files.forEach((file, i) => {
    const header = headers[i]!;
    if (header?.modality && NOT_IMAGES.has(header.modality)) {
      notImages.push(file);
      return;
    }
    const uid = header?.studyUid;
    const known = uid ? byUid.get(uid) : undefined;
    if (known) {
      known.files.push(file);
      return;
    }
    const group = { files: [file], header };
    studies.push(group);
    if (uid) byUid.set(uid, group);
  });
  return { studies, notImages };
}
