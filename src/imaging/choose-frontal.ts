/**
 * Several files given at once (a drop of a PA and a lateral, a picked series): which one to open.
 *
 * CXR-LLaVA reads one frontal chest image. So a DICOM file whose View Position (0018,5101) says PA
 * comes first, then AP, then files that do not say (PNG, JPEG, DICOM without the attribute), and
 * views that are not frontal (LATERAL, LL, RL, ...) last; within a rank, by file name. The user is
 * told which file is open and which were not, since the choice was ours.
 */
import { peekHeader } from './peek-header';

export interface FileChoice<F extends Blob & { name: string }> {
  file: F;
  /** The file's View Position, when it has one. */
  view: string | null;
  /** The whole story, for the image notes. Null for a single file. */
  note: string | null;
  /** The files looked at, the chosen one first, each with its view: the user may pick another. */
  ranked: { file: F; label: string }[];
}

/** A whole study folder dropped at once: look at this many files (by name), not thousands. */
export const MAX_LOOKED_AT = 50;
const NAMED = 5;

const FRONTAL_RANK: Record<string, number> = { PA: 0, AP: 1 };

/** PA 0, AP 1, a view not given 2, any other view (lateral, oblique, ...) 3. */
export function frontalRank(view: string | null): number {
  return view === null ? 2 : (FRONTAL_RANK[view] ?? 3);
}

/**
 * `origin` names where the files came from when it was a folder (e.g. 'in the folder "CD1"'), for
 * the note; without it they were "given at once".
 */
export async function chooseFrontal<F extends Blob & { name: string }>(files: readonly F[], origin?: string): Promise<FileChoice<F>> {
  if (files.length === 1) {
    const view = await viewPositionOf(files[0]!);
    return { file: files[0]!, view, note: null, ranked: [{ file: files[0]!, label: labelOf(files[0]!, view) }] };
  }
  const byName = [...files].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const looked = byName.slice(0, MAX_LOOKED_AT);
  const views = await Promise.all(looked.map((f) => viewPositionOf(f)));
  const order = looked.map((file, i) => ({ file, view: views[i]!, i })).sort((a, b) => frontalRank(a.view) - frontalRank(b.view) || a.i - b.i);
  const chosen = order[0]!;
  const others = order.slice(1);
  const label = (o: { file: F; view: string | null }) => labelOf(o.file, o.view);
  const notOpened = others.slice(0, NAMED).map(label).join(', ') + (others.length > NAMED ? `, and ${others.length - NAMED} more` : '');
  const skipped = files.length > looked.length ? ` Only the first ${looked.length} by name were looked at.` : '';
  const why = frontalRank(chosen.view) <= 1 ? `it is the ${chosen.view} view` : frontalRank(chosen.view) === 2 ? 'no file says it is a frontal (PA or AP) view' : 'no file is a frontal (PA or AP) view';
  return {
    file: chosen.file,
    view: chosen.view,
    note: `${files.length} ${origin ? `image files were found ${origin}` : 'files were given at once'}, and CXR-LLaVA reads one frontal chest image: ${chosen.file.name} is open because ${why}. Not opened: ${notOpened}.${skipped}`,
    ranked: order.map((o) => ({ file: o.file, label: label(o) })),
  };
}

function labelOf(file: { name: string }, view: string | null): string {
  return `${file.name}${view ? ` (${view})` : ''}`;
}

/** The View Position in a DICOM file's header, upper case; null for other files or when absent. */
export async function viewPositionOf(file: Blob): Promise<string | null> {
  return (await peekHeader(file))?.view ?? null;
}

/** Extensions of files a folder from a CD or a PACS export holds besides its images. */
const IMAGE_EXTENSIONS = new Set(['dcm', 'dicom', 'dic', 'dc3', 'ima', 'img', 'png', 'jpg', 'jpeg']);

/**
 * Whether a file found in a folder may be an image: DICOM files often have no extension (IM000001)
 * or a numeric one (a UID); the viewer programs, DICOMDIR indexes and hidden files on a CD are not.
 */
export function mayBeImage(name: string): boolean {
  if (name.startsWith('.') || /^(dicomdir|thumbs\.db|desktop\.ini)$/i.test(name)) return false;
  const dot = name.lastIndexOf('.');
  if (dot < 0) return true;
  const ext = name.slice(dot + 1).toLowerCase();
  return IMAGE_EXTENSIONS.has(ext) || /^\d+$/.test(ext);
}
