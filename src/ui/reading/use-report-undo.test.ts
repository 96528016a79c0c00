import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../state/store';
import { reportChange } from './use-report-undo';

describe("the report box's history: how the store's report changed", () => {
  it('tells the model streaming on from an edit made elsewhere, and both from the report replaced', () => {
    const store = createAppStore();
    const seen: string[] = [];
    store.subscribe((s, prev) => {
      const c = reportChange(s, prev);
      if (c !== 'none') seen.push(c);
    });
    const s = () => store.getState();
    s().editReport('Typed.'); // an edit from elsewhere than the box (the box's own are its echo)
    s().startReport('report'); // a new report: "Typed." goes under Earlier versions
    s().appendReport('No acute');
    s().appendReport(' disease.');
    s().finishStreaming();
    s().insertReportLine('Comparison: none.'); // put in while the box was hidden: undoable
    s().restoreVersion(0);
    s().loadDraft({ report: 'Another study.', reportPreset: null, versions: [], chat: [], chatInput: '' });
    expect(seen).toEqual(['edited', 'replaced', 'streamed', 'streamed', 'edited', 'replaced', 'replaced']);
  });
});
