import { useState, type RefObject } from 'react';
import type { DecodedImage, Viewport } from '../../imaging';
import type { MagnifierHandle } from './Magnifier';

/** Screen pixels an arrow moves the lens by; with Shift, this many. */
const STEP_PX = 20;
const SLOW_PX = 2;
const ARROWS: Record<string, [number, number]> = { arrowleft: [-1, 0], arrowright: [1, 0], arrowup: [0, -1], arrowdown: [0, 1] };

/**
 * The magnifying glass without a pointer (Magnify on, the image focused): Enter puts the lens in
 * the middle of the view, the arrows move it over the image as it is seen (Shift: slowly), Enter or
 * Escape puts it away. The arrows pan the view again once it is away.
 */
export function useKeyboardLens(viewport: () => Viewport | null, image: DecodedImage | null, lens: RefObject<MagnifierHandle | null>) {
  // The lens belongs to the image it was put on: another image puts it away.
  const [state, setState] = useState<{ at: { x: number; y: number }; image: DecodedImage } | null>(null);
  const at = state && state.image === image ? state.at : null;
  const stop = () => {
    lens.current?.hide();
    setState(null);
  };

  /** Handles a key (lower case); false when it is not the lens's. */
  const onKey = (key: string, shift: boolean): boolean => {
    const v = viewport();
    if (!v?.hasImage || !image) return false;
    if ((key === 'enter' && at) || (key === 'escape' && at)) {
      stop();
      return true;
    }
    if (key === 'enter') {
      const view = v.lensView();
      const middle = v.middleOfView();
      if (!view || !middle) return false;
      const c = v.imageToCanvas(middle);
      lens.current?.show(view, c);
      setState({ at: c, image });
      return true;
    }
    const arrow = ARROWS[key];
    if (!arrow || !at) return false;
    const step = shift ? SLOW_PX : STEP_PX;
    // Kept over the image, whatever the zoom, rotation or flip.
    const p = v.canvasToImageInside({ x: at.x + arrow[0] * step, y: at.y + arrow[1] * step });
    if (!p) return true;
    const c = v.imageToCanvas(p);
    // The view may have changed since the lens came out (a preset, a zoom): drawn as it is now.
    const view = v.lensView();
    if (view) lens.current?.show(view, c);
    setState({ at: c, image });
    return true;
  };

  const hint = at ? 'Magnifying glass: the arrows move it (Shift: slowly), Enter or Escape puts it away.' : null;
  return { onKey, hint, stop, active: at !== null };
}
