import { useCallback } from 'react';
import { insertionPoint, lineInto } from '../../state/report-slice';
import type { AppStore } from '../../state/store';
import { useAppStoreApi } from '../store-context';

// The report box of each store's page (ReportPanel registers it), so that a line put in from
// elsewhere goes in through the box itself.
const boxes = new WeakMap<AppStore, HTMLTextAreaElement>();

export function setReportBox(store: AppStore, box: HTMLTextAreaElement | null): void {
  if (box) boxes.set(store, box);
  else boxes.delete(store);
}

/**
 * Puts a line into the report where the caret was, as a line of its own (a phrase, a length, a
 * follow-up answer, a communication). Typed into the box as the keyboard would (execCommand
 * "insertText"), so that it reaches the box's change handler and its undo history (Ctrl+Z takes it
 * out again, use-report-undo.ts). Through the store when the box cannot take it (hidden behind the
 * changes view, not on the page), which leaves that history nothing to undo; the focus goes back
 * where it was.
 */
export function useInsertReportLine(): (line: string, opts?: { fromModel?: boolean }) => void {
  const store = useAppStoreApi();
  return useCallback(
    (line, opts = {}) => {
      const s = store.getState();
      const box = boxes.get(store);
      if (s.signature) return;
      if (box?.isConnected && !box.readOnly && box.value === s.report) {
        const at = insertionPoint(s);
        const put = lineInto(s.report, at, line).text;
        const was = document.activeElement;
        box.focus();
        box.setSelectionRange(at, at);
        // The input event it fires reaches the box's onChange, which hands the store the new text.
        if (document.activeElement === box && document.execCommand('insertText', false, put)) {
          if (opts.fromModel) store.getState().noteModelLine(s.report, at, line);
          if (was instanceof HTMLElement && was !== box && was !== document.body) was.focus();
          return;
        }
      }
      store.getState().insertReportLine(line, opts);
    },
    [store],
  );
}
