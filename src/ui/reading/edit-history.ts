/**
 * The report box's own undo history. The browser's is emptied whenever the page sets the box's
 * value, which every streamed token does, so Ctrl+Z after typing during a draft found nothing to
 * undo. This one holds only the reader's edits (typing, pasting, a phrase put in through the box)
 * as replacements at a position; the model's text only ever goes on at the end, which moves no
 * earlier position, so an edit can be undone under text streamed after it.
 */
export interface Edit {
  at: number;
  removed: string;
  inserted: string;
}

/**
 * What changed between two texts: the one replaced stretch between their common ends. `caretAfter`
 * (the caret once the edit was made) places an edit that the texts alone leave open: an "l" typed
 * into "hel|lo" is at 3, not 4.
 */
export function diff(before: string, after: string, caretAfter?: number): Edit | null {
  if (before === after) return null;
  let start = 0;
  let max = Math.min(before.length, after.length);
  if (caretAfter !== undefined) max = Math.max(0, Math.min(max, caretAfter - Math.max(0, after.length - before.length)));
  while (start < max && before[start] === after[start]) start++;
  max = Math.min(before.length, after.length);
  let end = 0;
  while (end < max - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { at: start, removed: before.slice(start, before.length - end), inserted: after.slice(start, after.length - end) };
}

/** Typing goes back a word at a time and deleting a run at a time, as the browser's own undo does. */
function merged(last: Edit, next: Edit): Edit | null {
  if (!last.removed && !next.removed && next.at === last.at + last.inserted.length) {
    const wordStarts = /\S\s+$/.test(last.inserted) && /^\S/.test(next.inserted);
    return wordStarts ? null : { at: last.at, removed: '', inserted: last.inserted + next.inserted };
  }
  if (!last.inserted && !next.inserted) {
    if (next.at + next.removed.length === last.at) return { at: next.at, removed: next.removed + last.removed, inserted: '' }; // Backspace
    if (next.at === last.at) return { at: last.at, removed: last.removed + next.removed, inserted: '' }; // Delete
  }
  return null;
}

export interface Undone {
  text: string;
  /** Where the caret goes: after what was put back (undo) or put in again (redo). */
  caret: number;
}

const LIMIT = 500;

export class EditHistory {
  private done: Edit[] = [];
  private undone: Edit[] = [];
  /** The next edit starts a step of its own (after a paste, a phrase, an undo or a redo). */
  private sealed = false;

  /** `whole`: pasted or put in at once (a phrase), a step of its own that nothing joins. */
  record(before: string, after: string, opts: { whole?: boolean; caret?: number } = {}): void {
    const e = diff(before, after, opts.caret);
    if (!e) return;
    this.undone = [];
    const last = this.done[this.done.length - 1];
    const m = last && !opts.whole && !this.sealed ? merged(last, e) : null;
    if (m) this.done[this.done.length - 1] = m;
    else this.done.push(e);
    this.sealed = !!opts.whole;
    if (this.done.length > LIMIT) this.done.shift();
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  undo(text: string): Undone | null {
    const e = this.done.pop();
    if (!e) return null;
    this.sealed = true;
    return this.swap(text, e, { at: e.at, removed: e.inserted, inserted: e.removed }, this.undone);
  }

  redo(text: string): Undone | null {
    const e = this.undone.pop();
    if (!e) return null;
    this.sealed = true;
    return this.swap(text, e, e, this.done);
  }

  /** The text was replaced by something other than the reader's edits or the model's appends. */
  clear(): void {
    this.done = [];
    this.undone = [];
  }

  /** Puts `apply` into the text where `recorded` says it went, if that text is still there. */
  private swap(text: string, recorded: Edit, apply: Edit, onto: Edit[]): Undone | null {
    if (text.slice(apply.at, apply.at + apply.removed.length) !== apply.removed) {
      // Not what was recorded (the text changed under it): nothing here can be trusted.
      this.clear();
      return null;
    }
    onto.push(recorded);
    return { text: text.slice(0, apply.at) + apply.inserted + text.slice(apply.at + apply.removed.length), caret: apply.at + apply.inserted.length };
  }
}
