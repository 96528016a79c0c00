import { describe, expect, it } from 'vitest';
import { diff, EditHistory } from './edit-history';

/** Types `text` at `at` one key at a time, recording each step as the box's input events would. */
function type(h: EditHistory, report: string, at: number, text: string): string {
  for (const ch of text) {
    const next = report.slice(0, at) + ch + report.slice(at);
    h.record(report, next, { caret: at + 1 });
    report = next;
    at++;
  }
  return report;
}

describe('diff', () => {
  it('finds the one replaced stretch, placed by the caret where the texts alone leave it open', () => {
    expect(diff('hello', 'hello')).toBeNull();
    expect(diff('hello', 'helllo')).toEqual({ at: 4, removed: '', inserted: 'l' });
    expect(diff('hello', 'helllo', 4)).toEqual({ at: 3, removed: '', inserted: 'l' });
    expect(diff('No effusion.', 'No pleural effusion.', 11)).toEqual({ at: 3, removed: '', inserted: 'pleural ' });
    expect(diff('Heart normal.', 'Heart enlarged.', 14)).toEqual({ at: 6, removed: 'normal', inserted: 'enlarged' });
    expect(diff('aaa', 'aa', 0)).toEqual({ at: 0, removed: 'a', inserted: '' });
  });
});

describe('EditHistory', () => {
  it('undoes typing a word at a time, and redoes it', () => {
    const h = new EditHistory();
    let r = type(h, 'Lungs clear.', 12, ' No effusion.');
    expect(r).toBe('Lungs clear. No effusion.');
    const u1 = h.undo(r)!;
    expect(u1).toEqual({ text: 'Lungs clear. No ', caret: 16 });
    const u2 = h.undo(u1.text)!;
    expect(u2.text).toBe('Lungs clear.');
    expect(h.undo(u2.text)).toBeNull();
    const r1 = h.redo(u2.text)!;
    expect(r1).toEqual({ text: 'Lungs clear. No ', caret: 16 });
    r = h.redo(r1.text)!.text;
    expect(r).toBe('Lungs clear. No effusion.');
    expect(h.canRedo).toBe(false);
  });

  it("undoes the reader's edit under text the model streamed after it, which stays", () => {
    const h = new EditHistory();
    // The reader fixes a word while the draft is still being written at the end.
    let r = 'The heart is enlarge';
    const fixed = r.replace('heart', 'cardiac silhouette');
    h.record(r, fixed, { caret: 22, whole: true });
    r = fixed + 'd. No effusion.'; // streamed on
    const u = h.undo(r)!;
    expect(u.text).toBe('The heart is enlarged. No effusion.');
    expect(u.caret).toBe(9);
    expect(h.redo(u.text + ' Bones intact.')!.text).toBe('The cardiac silhouette is enlarged. No effusion. Bones intact.');
  });

  it('joins Backspace and Delete runs; a paste or a phrase is a step of its own; a new edit drops redo', () => {
    const h = new EditHistory();
    let r = 'Small left effusion.';
    for (let i = 0; i < 5; i++) {
      const at = 11 - i;
      const next = r.slice(0, at - 1) + r.slice(at);
      h.record(r, next, { caret: at - 1 });
      r = next;
    }
    expect(r).toBe('Small effusion.');
    r = type(h, r, 6, 'right ');
    h.record(r, r + '\nIMPRESSION: effusion.', { whole: true });
    r += '\nIMPRESSION: effusion.';
    r = type(h, r, r.length, ' Follow up.');
    let u = h.undo(r)!;
    u = h.undo(u.text)!;
    expect(u.text).toBe('Small right effusion.\nIMPRESSION: effusion.');
    u = h.undo(u.text)!;
    expect(u.text).toBe('Small right effusion.');
    u = h.undo(u.text)!;
    expect(u.text).toBe('Small effusion.');
    u = h.undo(u.text)!;
    expect(u).toEqual({ text: 'Small left effusion.', caret: 11 });
    expect(h.canRedo).toBe(true);
    h.record(u.text, u.text + '!', { caret: u.text.length + 1 });
    expect(h.canRedo).toBe(false);
    // Delete (forward) from one place: one step too.
    const d = new EditHistory();
    let t = 'No acute disease.';
    for (let i = 0; i < 6; i++) {
      const next = t.slice(0, 3) + t.slice(4);
      d.record(t, next, { caret: 3 });
      t = next;
    }
    expect(t).toBe('No disease.');
    expect(d.undo(t)).toEqual({ text: 'No acute disease.', caret: 9 });
    expect(d.canUndo).toBe(false);
  });

  it('gives up, rather than undo the wrong text, when the text no longer holds the edit', () => {
    const h = new EditHistory();
    const r = type(h, '', 0, 'Normal');
    expect(h.undo('Something else')).toBeNull();
    expect(h.canUndo).toBe(false);
    expect(h.undo(r)).toBeNull();
  });
});
