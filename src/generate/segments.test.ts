import { describe, expect, it } from 'vitest';
import { expandPositions, type PromptSegment } from './image-tokens';
import { segmentsOfPositions } from './segments';

describe('segmentsOfPositions', () => {
  it('inverts expandPositions: text around whole images, adjacent text merged', () => {
    const segments: PromptSegment[] = [{ kind: 'text', ids: [1, 518, 25580] }, { kind: 'image' }, { kind: 'text', ids: [13, 29871] }, { kind: 'image' }];
    const positions = expandPositions(segments, 4);
    expect(positions).toEqual([1, 518, 25580, -1, -2, -3, -4, 13, 29871, -1, -2, -3, -4]);
    expect(segmentsOfPositions(positions, 4)).toEqual(segments);
    expect(segmentsOfPositions([], 4)).toEqual([]);
    expect(segmentsOfPositions([5, 6], 4)).toEqual([{ kind: 'text', ids: [5, 6] }]);
  });

  it('refuses part of an image or rows out of order', () => {
    expect(() => segmentsOfPositions([1, -1, -2], 4)).toThrow(/not row 2 of a whole image/);
    expect(() => segmentsOfPositions([1, -2, -1, -3, -4], 4)).toThrow(/not row 0/);
  });
});
