import { describe, expect, it } from 'vitest';
import { edgeMarkers, oppositeOf, parsePatientOrientation } from './orientation';

describe('orientation markers', () => {
  it('reads Patient Orientation, and only well-formed values', () => {
    expect(parsePatientOrientation('L\\F')).toEqual(['L', 'F']);
    expect(parsePatientOrientation(' lp \\ fa ')).toEqual(['LP', 'FA']);
    expect(parsePatientOrientation('L')).toBeNull();
    expect(parsePatientOrientation('X\\F')).toBeNull();
    expect(parsePatientOrientation('')).toBeNull();
    expect(oppositeOf('LP')).toBe('RA');
  });

  it('puts each letter where its axis points on screen: as stored, flipped, rotated', () => {
    const pa: [string, string] = ['L', 'F'];
    // As stored: rows run to the right, columns down. A PA chest: the patient's right on the left.
    expect(edgeMarkers(pa, { x: 1, y: 0 }, { x: 0, y: 1 })).toEqual({ left: 'R', right: 'L', top: 'H', bottom: 'F' });
    // Flipped horizontally.
    expect(edgeMarkers(pa, { x: -1, y: 0 }, { x: 0, y: 1 })).toEqual({ left: 'L', right: 'R', top: 'H', bottom: 'F' });
    // Turned 90° clockwise: rows now run down, columns to the left; the head is on the right.
    expect(edgeMarkers(pa, { x: 0, y: 1 }, { x: -1, y: 0 })).toEqual({ left: 'F', right: 'H', top: 'R', bottom: 'L' });
    // Zoom scales the axes and changes nothing.
    expect(edgeMarkers(pa, { x: 3.5, y: 0 }, { x: 0, y: 3.5 })).toEqual({ left: 'R', right: 'L', top: 'H', bottom: 'F' });
  });
});
