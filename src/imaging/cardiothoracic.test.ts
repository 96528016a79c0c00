import { describe, expect, it } from 'vitest';
import { cardiothoracicRatio, formatRatio, ratioCaveat, ratioSentence, viewPositionOf } from './cardiothoracic';
import type { MetaField } from './types';

const across = (x0: number, x1: number, y = 0) => ({ a: { x: x0, y }, b: { x: x1, y } });
const meta = (view?: string): MetaField[] => (view === undefined ? [] : [{ key: 'viewPosition', label: 'View Position', value: view, identifying: false }]);

describe('cardiothoracic ratio', () => {
  it('is the heart width over the chest width, in mm where rows and columns are spaced differently', () => {
    expect(cardiothoracicRatio({ pixelSpacing: null }, across(100, 220), across(40, 300))).toBeCloseTo(120 / 260, 12);
    // The same pixels, columns 0.2 mm and rows 0.1 mm apart: a vertical "chest" is half as long in mm.
    const vertical = { a: { x: 0, y: 0 }, b: { x: 0, y: 260 } };
    expect(cardiothoracicRatio({ pixelSpacing: [0.1, 0.2] }, across(100, 220), vertical)).toBeCloseTo((120 * 0.2) / (260 * 0.1), 12);
    expect(formatRatio(0.4615)).toBe('0.46');
  });

  it('says the widths and the caveat of an AP or lateral view in its sentence', () => {
    const img = (view?: string) => ({ pixelSpacing: [0.1, 0.1] as [number, number], meta: meta(view) });
    expect(ratioSentence(img('PA'), across(100, 1410), across(0, 2730))).toBe('Cardiothoracic ratio 0.48 (heart 131.0 mm, chest 273.0 mm, measured on the image).');
    expect(ratioSentence(img(' ap '), across(0, 1500), across(0, 2700))).toBe(
      'Cardiothoracic ratio 0.56 (heart 150.0 mm, chest 270.0 mm, measured on the image). AP view: the heart is magnified, so the ratio reads higher than on a PA film.',
    );
    expect(ratioCaveat('LL')).toMatch(/^Lateral view/);
    expect(ratioCaveat(null)).toBeNull();
    expect(viewPositionOf({ meta: meta('—') })).toBeNull();
    expect(viewPositionOf({ meta: meta() })).toBeNull();
  });
});
