import { describe, expect, it } from 'vitest';
import { takeDropped } from './dropped-files';

// Stand-ins for the File and Directory Entries API as Chromium hands it out on a drop: a folder's
// reader answers in batches (of 100 there; 2 here) and then with an empty one.
type Entry = FileEntry | DirEntry;
interface FileEntry {
  isFile: true;
  isDirectory: false;
  name: string;
  file: (ok: (f: File) => void, fail: (e: Error) => void) => void;
}
interface DirEntry {
  isFile: false;
  isDirectory: true;
  name: string;
  createReader: () => { readEntries: (ok: (batch: Entry[]) => void, fail: (e: Error) => void) => void };
}

const fileEntry = (name: string): FileEntry => ({ isFile: true, isDirectory: false, name, file: (ok) => ok(new File([name], name)) });
function dirEntry(name: string, children: Entry[]): DirEntry {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok) => {
          const batch = children.slice(at, at + 2);
          at += 2;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  };
}

/** A DataTransfer as a drop delivers it: `files` holds the top-level items (a folder as a File too). */
function drop(...entries: Entry[]): DataTransfer {
  const items = entries.map((e) => ({ kind: 'file', webkitGetAsEntry: () => e, getAsFile: () => new File([], e.name) }));
  return { items, files: entries.map((e) => new File([], e.name)) } as unknown as DataTransfer;
}

describe('takeDropped', () => {
  it('walks a dropped CD folder: every level, every batch, only the files that may be images', async () => {
    const cd = dirEntry('CD1', [
      fileEntry('DICOMDIR'),
      fileEntry('README.TXT'),
      dirEntry('VIEWER', [fileEntry('viewer.exe'), fileEntry('lib.dll')]),
      dirEntry('DICOM', [dirEntry('ST1', [dirEntry('SE1', [fileEntry('IM000001'), fileEntry('IM000002'), fileEntry('IM000003')]), dirEntry('SE2', [fileEntry('IM000004')])])]),
      fileEntry('.DS_Store'),
      fileEntry('key.png'),
    ]);
    const { files, folders } = await takeDropped(drop(cd))();
    expect(folders).toEqual(['CD1']);
    expect(files.map((f) => f.name).sort()).toEqual(['IM000001', 'IM000002', 'IM000003', 'IM000004', 'key.png']);
    // The File objects are the entries' own (their bytes), not the folder's placeholder.
    expect(await files.find((f) => f.name === 'IM000003')!.text()).toBe('IM000003');
  });

  it('takes files dropped beside a folder as they are, and names several folders together', async () => {
    const { files, folders } = await takeDropped(drop(fileEntry('notes.txt'), dirEntry('A', [fileEntry('a.dcm')]), dirEntry('B', [fileEntry('b.jpg')])))();
    expect(folders).toEqual(['A', 'B']);
    expect(files.map((f) => f.name)).toEqual(['notes.txt', 'a.dcm', 'b.jpg']);
  });

  it('a drop of files only gives its files, with no folder', async () => {
    const { files, folders } = await takeDropped(drop(fileEntry('pa.dcm'), fileEntry('lat.dcm')))();
    expect(folders).toEqual([]);
    expect(files.map((f) => f.name)).toEqual(['pa.dcm', 'lat.dcm']);
  });

  it('an empty folder gives no files', async () => {
    expect(await takeDropped(drop(dirEntry('empty', [])))()).toEqual({ files: [], folders: ['empty'] });
  });
});
