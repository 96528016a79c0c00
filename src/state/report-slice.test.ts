import { describe, expect, it } from 'vitest';
import { createAppStore } from './store';

describe('report slice', () => {
  it('appends streamed text after the user edit, never over it', () => {
    const s = createAppStore();
    s.getState().startReport('report');
    s.getState().appendReport('Heart size is ');
    s.getState().editReport('EDITED: Heart size is ');
    s.getState().appendReport('normal.');
    expect(s.getState().report).toBe('EDITED: Heart size is normal.');
  });

  it('keeps the previous version reachable when regenerating, and can restore it', () => {
    const s = createAppStore();
    s.getState().startReport('report');
    s.getState().appendReport('first');
    s.getState().finishStreaming();
    s.getState().startReport('report');
    s.getState().appendReport('second');
    expect(s.getState().versions.map((v) => v.text)).toEqual(['first']);
    s.getState().restoreVersion(0);
    expect(s.getState().report).toBe('first');
    expect(s.getState().versions.map((v) => v.text)).toEqual(['second']);
  });

  it('streams chat answers into the last assistant message', () => {
    const s = createAppStore();
    s.getState().startChat('Effusion?');
    s.getState().appendChat('No');
    s.getState().appendChat(' effusion.');
    s.getState().finishStreaming();
    expect(s.getState().chat).toEqual([
      { role: 'user', text: 'Effusion?' },
      { role: 'assistant', text: 'No effusion.', streaming: false, interrupted: undefined },
    ]);
  });
});
