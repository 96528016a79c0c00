/**
 * The files of a drop: several files, and folders walked recursively (File System API entries,
 * which Chromium, Firefox and Safari give for drops). Entries must be taken during the drop event
 * itself; reading them is asynchronous.
 */
export function droppedEntries(data: DataTransfer): FileSystemEntry[] {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * The dropped images, when the drop is more than one (several files, or any folder); null for a
 * single file. Entries are read when the browser gives them (a real drag); a DataTransfer made by
 * a script has none, and its files are taken as they are.
 */
export function multiDrop(data: DataTransfer): Promise<File[]> | null {
  const entries = droppedEntries(data);
  if (entries.length && entries.length === data.files.length) {
    if (entries.length < 2 && !entries.some((e) => e.isDirectory)) return null;
    return filesOf(entries);
  }
  const files = Array.from(data.files);
  return files.length > 1 ? Promise.resolve(files) : null;
}

export async function filesOf(entries: FileSystemEntry[]): Promise<File[]> {
  const out: File[] = [];
  for (const e of entries) out.push(...(await walk(e, '')));
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string): Promise<File[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    // Keep the folder path visible in the list (webkitRelativePath is read-only and empty here).
    return [prefix ? new File([file], `${prefix}${file.name}`, { type: file.type, lastModified: file.lastModified }) : file];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call; read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    children.push(...batch);
  }
  children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const files: File[] = [];
  for (const c of children) files.push(...(await walk(c, `${prefix}${entry.name}/`)));
  return files;
}
