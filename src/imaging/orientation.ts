/**
 * Orientation markers: which way the patient lies at each edge of the image on screen, from the
 * DICOM Patient Orientation (0020,0020). Its first value is the direction of the rows (towards
 * increasing column), its second that of the columns (towards increasing row), in the letters
 * A/P (anterior, posterior), R/L (right, left), H/F (head, feet); a PA chest is "L\F". A flip or a
 * rotation moves them, and a reader checks laterality by them.
 */

const OPPOSITE: Record<string, string> = { A: 'P', P: 'A', R: 'L', L: 'R', H: 'F', F: 'H' };

/** The two directions, when the value is well formed ("L\F", "LP\FA"); null otherwise. */
export function parsePatientOrientation(value: string): [string, string] | null {
  const parts = value.split('\\').map((p) => p.trim().toUpperCase());
  return parts.length === 2 && parts.every((p) => /^[APRLHF]{1,3}$/.test(p)) ? [parts[0]!, parts[1]!] : null;
}

export function oppositeOf(direction: string): string {
  return [...direction].map((c) => OPPOSITE[c] ?? c).join('');
}

export interface EdgeMarkers {
  left: string;
  right: string;
  top: string;
  bottom: string;
}

/**
 * The letters at the screen's edges, given where the image's +x (along a row) and +y (down a
 * column) point on screen (the viewport's transform: zoom, pan, rotation and flips all in it).
 */
export function edgeMarkers(orientation: [string, string], xAxis: { x: number; y: number }, yAxis: { x: number; y: number }): EdgeMarkers {
  const out: EdgeMarkers = { left: '', right: '', top: '', bottom: '' };
  const place = (dir: string, v: { x: number; y: number }) => {
    if (Math.abs(v.x) >= Math.abs(v.y)) {
      out[v.x > 0 ? 'right' : 'left'] = dir;
      out[v.x > 0 ? 'left' : 'right'] = oppositeOf(dir);
    } else {
      out[v.y > 0 ? 'bottom' : 'top'] = dir;
      out[v.y > 0 ? 'top' : 'bottom'] = oppositeOf(dir);
    }
  };
  place(orientation[0], xAxis);
  place(orientation[1], yAxis);
  return out;
}
