import { describe, expect, it } from 'vitest';
import type { DecodedImage } from '../imaging/types';
import { createAppStore } from './store';

const image = { width: 2, height: 1 } as DecodedImage;
const study = (fileName: string) => ({ fileName, image, modelInput: { width: 2, height: 1, data: new Uint8Array(2) }, decodeMs: 1 });

describe('study slice', () => {
  it('opens a study and keeps it when a later file fails', () => {
    const s = createAppStore();
    const t1 = s.getState().startIntake('a.dcm');
    expect(s.getState().intake).toEqual({ status: 'decoding', fileName: 'a.dcm' });
    s.getState().finishIntake(t1, study('a.dcm'));
    expect(s.getState().study?.fileName).toBe('a.dcm');
    const t2 = s.getState().startIntake('bad.dcm');
    expect(s.getState().study?.fileName).toBe('a.dcm');
    s.getState().failIntake(t2, 'bad.dcm', 'truncated', 'cut short');
    expect(s.getState().study?.fileName).toBe('a.dcm');
    expect(s.getState().intake).toMatchObject({ status: 'error', code: 'truncated' });
  });

  it('drops the result of an intake that a newer one replaced', () => {
    const s = createAppStore();
    const t1 = s.getState().startIntake('slow.dcm');
    const t2 = s.getState().startIntake('fast.png');
    s.getState().finishIntake(t2, study('fast.png'));
    s.getState().finishIntake(t1, study('slow.dcm'));
    s.getState().failIntake(t1, 'slow.dcm', 'x', 'y');
    expect(s.getState().study?.fileName).toBe('fast.png');
    expect(s.getState().intake.status).toBe('idle');
  });

  it('gives every opened file its own key', () => {
    const s = createAppStore();
    s.getState().finishIntake(s.getState().startIntake('a.png'), study('a.png'));
    const k1 = s.getState().study!.key;
    s.getState().finishIntake(s.getState().startIntake('a.png'), study('a.png'));
    expect(s.getState().study!.key).not.toBe(k1);
  });
});
