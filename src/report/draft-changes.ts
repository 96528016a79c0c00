import { diffArrays, diffWordsWithSpace } from 'diff';

/**
 * What the reader changed in the model's draft: the words kept, removed and added, from a word
 * diff (jsdiff) of the model's own text (what streamed in, without the reader's edits) against the
 * report as it is. Shown beside the report and in the sign form, so that the reader sees every
 * word they are about to sign that came from the model, and written into every export and the SR,
 * so that whoever reads the report knows how much of it is the model's.
 */

export interface DraftChange {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

export interface ChangeSummary {
  /** Words in the model's draft. */
  modelWords: number;
  /** Of them, still in the report. */
  keptWords: number;
  removedWords: number;
  /** Words in the report that the model did not write. */
  addedWords: number;
}

/** The report against the model's draft, in order: kept, removed and added runs of words and spaces. */
export function draftChanges(model: string, report: string): DraftChange[] {
  return diffWordsWithSpace(model.trim(), report.trim()).map((c) => ({ kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }));
}

/**
 * Where a place in the report falls in the model's text: for model text put into the report later
 * (a follow-up answer), which goes into the model's text at the same place, so that it counts as
 * the model's and not as the reader's. In text the reader added, it is where that addition began.
 */
export function modelIndexAt(model: string, report: string, at: number): number {
  let m = 0;
  let r = 0;
  for (const c of diffWordsWithSpace(model, report)) {
    const n = c.value.length;
    if (c.removed) {
      m += n;
      continue;
    }
    if (at <= r + n) return c.added ? m : m + (at - r);
    r += n;
    if (!c.added) m += n;
  }
  return m;
}

const words = (s: string) => s.match(/\S+/g) ?? [];

/**
 * Counted over whole words (runs of non-space): a word the reader changed at all, its punctuation
 * too, counts as removed and added. (The display diff, draftChanges, goes finer.)
 */
export function changeSummary(model: string, report: string): ChangeSummary {
  const parts = diffArrays(words(model), words(report));
  const count = (pick: (c: (typeof parts)[number]) => boolean | undefined) => parts.filter(pick).reduce((k, c) => k + c.count, 0);
  const keptWords = count((c) => !c.added && !c.removed);
  const removedWords = count((c) => c.removed);
  return { modelWords: keptWords + removedWords, keptWords, removedWords, addedWords: count((c) => c.added) };
}

/** The report on screen against the model's text for it; null when that is not known or either is empty. */
export function reportChanges(s: { modelReport: string | null; report: string }): ChangeSummary | null {
  return s.modelReport?.trim() && s.report.trim() ? changeSummary(s.modelReport, s.report) : null;
}

const n = (k: number, word = 'word') => `${k} ${word}${k === 1 ? '' : 's'}`;

/** "Kept 40 of the AI draft's 52 words, removed 12, added 9." / "Unchanged from the AI draft (52 words)." */
export function describeChanges(s: ChangeSummary): string {
  if (s.removedWords === 0 && s.addedWords === 0) return `Unchanged from the AI draft (${n(s.modelWords)}).`;
  if (s.keptWords === 0) return `Nothing left of the AI draft (${n(s.modelWords)}): all ${n(s.addedWords)} written by the reader.`;
  return `Kept ${s.keptWords} of the AI draft's ${n(s.modelWords)}, removed ${s.removedWords}, added ${s.addedWords}.`;
}
