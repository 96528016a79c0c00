import { mayBeImage } from '../../imaging/choose-frontal';

/**
 * What a drop or a paste holds: its files, and the image files inside any folder dropped with
 * them (a CD's DICOM folder), walked with the File and Directory Entries API.
 */
export interface DroppedFiles {
  files: File[];
  /** The names of the folders dropped (none: only files). */
  folders: string[];
}

/** A CD also holds viewer software; a whole archive dropped by mistake should not take minutes. */
const MAX_ENTRIES = 5000;

/**
 * Takes the drop's entries at once: the browser empties a DataTransfer when its event handler
 * returns, so only the walk through the folders may happen later.
 */
export function takeDropped(data: DataTransfer | null): () => Promise<DroppedFiles> {
  if (!data) return async () => ({ files: [], folders: [] });
  const items = Array.from(data.items).filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = data.files.length ? Array.from(data.files) : items.map((item) => item.getAsFile()).filter((f): f is File => !!f);
  const folders = entries.filter((e): e is FileSystemDirectoryEntry => !!e?.isDirectory);
  if (!folders.length) return async () => ({ files, folders: [] });
  return async () => {
    // Files dropped beside the folders are taken as they are (the user chose them).
    const loose = await Promise.all(entries.filter((e): e is FileSystemFileEntry => !!e?.isFile).map(fileOf));
    const inside = await walk(folders);
    return { files: [...loose, ...inside], folders: folders.map((f) => f.name) };
  };
}

/** The image files under `folders`, breadth first, at most MAX_ENTRIES entries looked at. */
async function walk(folders: FileSystemDirectoryEntry[]): Promise<File[]> {
  const out: File[] = [];
  const queue: FileSystemEntry[] = [...folders];
  let seen = 0;
  while (queue.length && seen < MAX_ENTRIES) {
    const entry = queue.shift()!;
    seen++;
    if (entry.isDirectory) queue.push(...(await readAll((entry as FileSystemDirectoryEntry).createReader())));
    else if (entry.isFile && mayBeImage(entry.name)) out.push(await fileOf(entry as FileSystemFileEntry));
  }
  return out;
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** readEntries answers in batches (100 in Chromium) until an empty one. */
async function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return all;
    all.push(...batch);
  }
}
