import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type ChangeEvent, type RefObject } from 'react';
import type { AppState, AppStore } from '../../state/store';
import { EditHistory } from './edit-history';

/**
 * How the report changed in the store, for the box's history: the model's words streamed on at the
 * end (they move nothing the history points at); an edit made elsewhere on the same draft (a line
 * put in while the box was hidden, a component's edit), which is a step of its own; or the report
 * replaced (another study's draft, a new report, an earlier version restored), after which nothing
 * in the history can be undone.
 */
export function reportChange(s: AppState, prev: AppState): 'none' | 'streamed' | 'edited' | 'replaced' {
  if (s.report === prev.report) return 'none';
  if (s.streaming === 'report' && prev.streaming === 'report' && s.report.startsWith(prev.report)) return 'streamed';
  const sameDraft = s.study?.key === prev.study?.key && s.draftFor === prev.draftFor && s.versions === prev.versions && s.streaming === prev.streaming;
  return sameDraft ? 'edited' : 'replaced';
}

/** One key or Backspace at a time: joined into runs. Anything else (a paste, a phrase) is a step. */
function typed(e: InputEvent | undefined, before: string, after: string): boolean {
  const t = e?.inputType ?? '';
  if (t === 'deleteContentBackward' || t === 'deleteContentForward') return true;
  return (t === 'insertText' || t === 'insertLineBreak') && after.length - before.length === 1;
}

/**
 * Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y, the Edit menu's Undo) in the report box, from the box's own
 * history of the reader's edits (edit-history.ts): the browser's is emptied by every streamed
 * token. It returns the box's change handler; `onApplied` hears of an undo or redo made.
 */
export function useReportUndo(store: AppStore, box: RefObject<HTMLTextAreaElement | null>, onApplied: (node: HTMLTextAreaElement) => void) {
  const history = useMemo(() => new EditHistory(), []);
  // The text the box's own edit or undo gave the store, so the store's echo of it is not taken
  // for a change from elsewhere.
  const own = useRef<string | null>(null);
  const applied = useRef(onApplied);
  useLayoutEffect(() => {
    applied.current = onApplied;
  });

  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if (s.report === prev.report) return;
        if (own.current === s.report) {
          own.current = null;
          return;
        }
        const change = reportChange(s, prev);
        if (change === 'edited') history.record(prev.report, s.report, { whole: true });
        else if (change === 'replaced') history.clear();
      }),
    [store, history],
  );

  useEffect(() => {
    const node = box.current;
    if (!node) return;
    const apply = (redo: boolean) => {
      if (node.readOnly) return;
      const r = redo ? history.redo(node.value) : history.undo(node.value);
      if (!r) return;
      node.value = r.text;
      node.setSelectionRange(r.caret, r.caret);
      own.current = r.text;
      store.getState().editReport(r.text);
      applied.current(node);
    };
    // The browser's own undo is never used: it would undo to a text the store no longer has.
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key !== 'z' && key !== 'y') return;
      e.preventDefault();
      apply(key === 'y' || e.shiftKey);
    };
    const onBeforeInput = (e: InputEvent) => {
      if (e.inputType !== 'historyUndo' && e.inputType !== 'historyRedo') return;
      e.preventDefault();
      apply(e.inputType === 'historyRedo');
    };
    node.addEventListener('keydown', onKey);
    node.addEventListener('beforeinput', onBeforeInput);
    return () => {
      node.removeEventListener('keydown', onKey);
      node.removeEventListener('beforeinput', onBeforeInput);
    };
  }, [box, history, store]);

  return useCallback(
    (e: ChangeEvent<HTMLTextAreaElement>) => {
      const before = store.getState().report;
      const after = e.target.value;
      history.record(before, after, { caret: e.target.selectionEnd, whole: !typed(e.nativeEvent as InputEvent, before, after) });
      own.current = after;
    },
    [store, history],
  );
}
