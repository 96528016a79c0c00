import { useEffect, useImperativeHandle, useRef, type Ref, type RefObject } from 'react';
import { LENS_MAX_POWER, lensFactor, lensPixels, type LensView } from '../../imaging';
import type { DecodedImage } from '../../imaging/types';

/** The lens's radius at first, and the least and most Shift+wheel makes it, CSS pixels. */
const RADIUS = 110;
const MIN_RADIUS = 60;
const MAX_RADIUS = 240;
/** One wheel notch while the lens is held: this much more, or less, magnification (with Shift: size). */
const POWER_STEP = 1.25;
const SIZE_STEP = 1.2;

export interface MagnifierHandle {
  /** Shows the lens centred on `at` (canvas CSS pixels), drawn as `view` shows the image. */
  show(view: LensView, at: { x: number; y: number }): void;
  move(at: { x: number; y: number }): void;
  hide(): void;
}

interface Lens {
  view: LensView;
  at: { x: number; y: number };
  frame: number;
}

/**
 * The magnifying glass over the viewport (imaging/magnify.ts draws it from the file's pixels). It
 * follows the pointer outside React: one redraw per frame, not one render of the viewer per move.
 * The wheel, while it is out, magnifies it more or less (not the view), Shift+wheel makes it larger or
 * smaller, and both stay for the next time.
 */
export function Magnifier({ image, ref }: { image: DecodedImage; ref: Ref<MagnifierHandle> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const lens = useRef<Lens | null>(null);
  const power = useRef(1);
  const radius = useRef(RADIUS);

  useEffect(() => {
    const element = canvas.current?.parentElement;
    if (!element) return;
    // Captured on the viewport before its own wheel listener (which zooms the view) hears it.
    const onWheel = (e: WheelEvent) => {
      if (!lens.current || !canvas.current) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      // With Shift, browsers may turn the wheel's turn into a sideways scroll (deltaX).
      const up = (e.deltaY || e.deltaX) < 0;
      if (e.shiftKey) radius.current = Math.round(Math.min(MAX_RADIUS, Math.max(MIN_RADIUS, radius.current * (up ? SIZE_STEP : 1 / SIZE_STEP))));
      else power.current = Math.min(LENS_MAX_POWER, Math.max(1, power.current * (up ? POWER_STEP : 1 / POWER_STEP)));
      drawLens(canvas.current, lens.current, image, power.current, radius.current);
    };
    element.addEventListener('wheel', onWheel, { capture: true, passive: false });
    return () => {
      element.removeEventListener('wheel', onWheel, { capture: true });
      // Another image: the lens over the last one goes.
      hideLens(lens, canvas);
    };
  }, [image]);

  useImperativeHandle(ref, () => ({
    show(view, at) {
      lens.current = { view, at, frame: 0 };
      if (canvas.current) drawLens(canvas.current, lens.current, image, power.current, radius.current);
    },
    move(at) {
      const s = lens.current;
      if (!s) return;
      s.at = at;
      s.frame ||= requestAnimationFrame(() => {
        if (canvas.current && lens.current === s) drawLens(canvas.current, s, image, power.current, radius.current);
      });
    },
    hide: () => hideLens(lens, canvas),
  }));

  return <canvas ref={canvas} className="magnifier" data-testid="magnifier" hidden aria-hidden="true" />;
}

function drawLens(el: HTMLCanvasElement, s: Lens, image: DecodedImage, power: number, radius: number): void {
  s.frame = 0;
  const dpr = window.devicePixelRatio || 1;
  const size = Math.round(2 * radius * dpr);
  if (el.width !== size) el.width = el.height = size;
  el.style.width = el.style.height = `${2 * radius}px`;
  el.style.left = `${s.at.x - radius}px`;
  el.style.top = `${s.at.y - radius}px`;
  el.getContext('2d')?.putImageData(new ImageData(lensPixels(image, s.view, s.at, size, dpr, power), size, size), 0, 0);
  el.hidden = false;
  el.dataset.factor = lensFactor(s.view, dpr, power).toFixed(2);
}

function hideLens(lens: RefObject<Lens | null>, canvas: RefObject<HTMLCanvasElement | null>): void {
  if (lens.current?.frame) cancelAnimationFrame(lens.current.frame);
  lens.current = null;
  if (canvas.current) canvas.current.hidden = true;
}
