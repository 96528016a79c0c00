// What an evaluation reads: the images of a folder, the reference reports or labels (matched to
// images by path, file name or stem), and the generated.jsonl of an earlier, interrupted run.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emptyLabels, OBSERVATIONS, type Label, type LabelVector } from './chexpert-labeler';
import { csvRecords } from './csv';
import { indicationInReport } from '../report/clinical-question';


export const IMAGE_EXTENSIONS = ['.pgm', '.png', '.jpg', '.jpeg', '.dcm', '.dicom'];

/** Image files under dir (recursively, hidden entries skipped), as sorted '/'-separated relative paths. */
export async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile() && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(child);
    }
  };
  await walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const IMAGE_COLUMNS = ['image', 'path', 'file', 'filename', 'image_path', 'dicom_id', 'id'];
const REPORT_COLUMNS = ['report', 'text', 'reports', 'findings', 'impression'];

const INDICATION_COLUMNS = ['indication', 'indications', 'reason', 'reason_for_study', 'reason_for_exam', 'clinical_history', 'history'];

function findColumn(header: string[], candidates: string[]): string | undefined {
  const lower = header.map((h) => h.toLowerCase());
  for (const c of candidates) {
    const i = lower.indexOf(c);
    if (i >= 0) return header[i]!;
  }
  return undefined;
}

function pickColumn(header: string[], candidates: string[], file: string, what: string): string {
  const found = findColumn(header, candidates);
  if (found !== undefined) return found;
  throw new Error(`${file}: no ${what} column (looked for ${candidates.join(', ')}; found ${header.join(', ')})`);
}

const normKey = (k: string) => k.trim().replace(/\\/g, '/').replace(/^\.\//, '');
const stem = (k: string) => path.posix.basename(k).replace(/\.[^.]*$/, '');

/**
 * Finds an image's row in a reference keyed by path: the same relative path, else the one path
 * that ends with it (or that it ends with), else a unique file name, else a unique name without
 * extension. Ambiguous matches find nothing.
 */
export class ReferenceIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly byBase = new Map<string, T | null>();
  private readonly byStem = new Map<string, T | null>();

  constructor(entries: Iterable<[string, T]>) {
    for (const [rawKey, v] of entries) {
      const key = normKey(rawKey);
      this.exact.set(key, v);
      const base = path.posix.basename(key);
      this.byBase.set(base, this.byBase.has(base) ? null : v);
      const s = stem(key);
      this.byStem.set(s, this.byStem.has(s) ? null : v);
    }
  }

  get size(): number {
    return this.exact.size;
  }

  find(imageId: string): T | undefined {
    const id = normKey(imageId);
    const hit = this.exact.get(id);
    if (hit !== undefined) return hit;
    const suffix = [...this.exact].filter(([k]) => k.endsWith(`/${id}`) || id.endsWith(`/${k}`));
    if (suffix.length === 1) return suffix[0]![1];
    if (suffix.length > 1) return undefined; // ambiguous
    return this.byBase.get(path.posix.basename(id)) ?? this.byStem.get(stem(id)) ?? undefined;
  }
}

export async function readReferenceReports(file: string): Promise<ReferenceIndex<string>> {
  const { header, records } = csvRecords(await readFile(file, 'utf8'));
  const img = pickColumn(header, IMAGE_COLUMNS, file, 'image');
  const rep = pickColumn(header, REPORT_COLUMNS, file, 'report');
  return new ReferenceIndex(records.map((r) => [r[img]!, r[rep]!] as [string, string]));
}

/**
 * The reason for each study, from a reference CSV: its indication column (`indication`, `reason`,
 * `clinical_history`, …), else the INDICATION section of its reports (MIMIC-CXR's full reports have
 * one); null when the file gives none.
 */
export async function readIndications(file: string): Promise<ReferenceIndex<string> | null> {
  const { header, records } = csvRecords(await readFile(file, 'utf8'));
  const img = pickColumn(header, IMAGE_COLUMNS, file, 'image');
  const column = findColumn(header, INDICATION_COLUMNS);
  const reports = findColumn(header, REPORT_COLUMNS);
  const entries = records.flatMap((r): [string, string][] => {
    const text = column !== undefined ? r[column]?.trim() : reports !== undefined ? indicationInReport(r[reports] ?? '') : undefined;
    return text ? [[r[img]!, text]] : [];
  });
  return entries.length ? new ReferenceIndex(entries) : null;
}

export function parseLabelCell(v: string, where: string): Label {
  const t = v.trim();
  if (t === '' || t.toLowerCase() === 'nan') return null;
  const n = Number(t);
  if (n === 1 || n === 0 || n === -1) return n;
  throw new Error(`${where}: "${v}" is no CheXpert label (1, 0, -1 or blank)`);
}

export async function readReferenceLabels(file: string): Promise<ReferenceIndex<LabelVector>> {
  const { header, records } = csvRecords(await readFile(file, 'utf8'));
  const img = pickColumn(header, IMAGE_COLUMNS, file, 'image');
  const columns = OBSERVATIONS.map((o) => [o, header.find((h) => h.toLowerCase() === o.toLowerCase())] as const);
  if (columns.every(([, c]) => c === undefined)) throw new Error(`${file}: none of the 14 CheXpert columns (${OBSERVATIONS.join(', ')})`);
  return new ReferenceIndex(
    records.map((r, i) => {
      const labels = emptyLabels();
      for (const [o, c] of columns) if (c !== undefined) labels[o] = parseLabelCell(r[c] ?? '', `${file} row ${i + 2}, ${c}`);
      return [r[img]!, labels] as [string, LabelVector];
    }),
  );
}

export interface GeneratedRecord {
  image: string;
  report: string;
  promptTokens: number;
  newTokens: number;
  seconds: number;
}

/** Reads generated.jsonl; a torn or broken line (an interrupted run) is dropped and the file rewritten. */
export async function readGenerated(file: string, log: (line: string) => void): Promise<Map<string, GeneratedRecord>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const records = new Map<string, GeneratedRecord>();
  let broken = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as GeneratedRecord;
      if (typeof r.image !== 'string' || typeof r.report !== 'string') throw new Error('not a record');
      records.set(r.image, r);
    } catch {
      broken++;
    }
  }
  if (broken || (text.length && !text.endsWith('\n'))) {
    log(`note: dropped ${broken} unreadable line(s) of ${file}; those images will be generated again`);
    await writeFile(file, [...records.values()].map((r) => JSON.stringify(r) + '\n').join(''));
  }
  return records;
}
