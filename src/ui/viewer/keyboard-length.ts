import { useState } from 'react';
import { formatLength, lengthOf, type DecodedImage, type Segment, type Viewport } from '../../imaging';

/** Screen pixels an arrow moves the point by; with Shift, one. */
const STEP_PX = 10;
const ARROWS: Record<string, [number, number]> = { arrowleft: [-1, 0], arrowright: [1, 0], arrowup: [0, -1], arrowdown: [0, 1] };

interface Drawing {
  /** What is drawn, for the status line: "Length", or the ratio tool's "Heart width". */
  name: string;
  viewport: () => Viewport | null;
  image: DecodedImage | null;
  /** The segment being drawn, as the pointer or the keys last left it. */
  drawn: () => Segment | null;
  draw: (s: Segment | null) => void;
  /** Ends the drawing: keeps the segment when asked and long enough (as a pointer drag does). */
  finish: (keep: boolean) => void;
}

/**
 * Drawing a length without a pointer (Measure on, the image focused): Enter puts a point in the
 * middle of the view, the arrows move it (10 screen pixels, Shift: 1), Enter sets the start there,
 * the arrows move the end, Enter keeps the length; Escape drops it. The arrows move the point as it
 * is seen, whatever the zoom, rotation or flip.
 */
export function useKeyboardLength({ name, viewport, image, drawn, draw, finish }: Drawing) {
  // The phase belongs to the image it began on: another image ends it (Viewer drops the drawing).
  const [state, setState] = useState<{ phase: 'start' | 'end'; image: DecodedImage } | null>(null);
  const phase = state && state.image === image ? state.phase : null;
  const setPhase = (p: 'start' | 'end' | null) => setState(p && image ? { phase: p, image } : null);

  /** Handles a key (lower case); false when it is not this tool's. */
  const onKey = (key: string, shift: boolean): boolean => {
    const v = viewport();
    if (!v?.hasImage || !image) return false;
    const s = drawn();
    if (key === 'enter') {
      if (!phase || !s) {
        const p = v.middleOfView();
        if (!p) return false;
        draw({ a: p, b: p });
        setPhase('start');
      } else if (phase === 'start') setPhase('end');
      else {
        setPhase(null);
        finish(true);
      }
      return true;
    }
    if (key === 'escape' && phase) {
      setPhase(null);
      finish(false);
      return true;
    }
    const arrow = ARROWS[key];
    if (!arrow || !phase || !s) return false;
    const step = shift ? 1 : STEP_PX;
    // The point as seen moves by the step on screen (through zoom, rotation, flips), inside the image.
    const c = v.imageToCanvas(s.b);
    const moved = v.canvasToImageInside({ x: c.x + arrow[0] * step, y: c.y + arrow[1] * step });
    if (moved) draw(phase === 'start' ? { a: moved, b: moved } : { a: s.a, b: moved });
    return true;
  };

  const s = drawn();
  const hint =
    phase === 'start'
      ? `${name}: the arrows move the point (Shift: by 1 pixel), Enter sets the start, Escape cancels.`
      : phase === 'end' && s && image
        ? `${name} ${formatLength(lengthOf(s.a, s.b, image))}: the arrows move the end, Enter keeps it, Escape cancels.`
        : null;
  return { onKey, hint, stop: () => setPhase(null), active: phase !== null };
}
