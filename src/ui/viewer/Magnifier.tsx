import { useEffect, useImperativeHandle, useRef, type Ref, type RefObject } from 'react';
import { lensFactor, lensPixels, type LensView } from '../../imaging';
import type { DecodedImage } from '../../imaging/types';

/** The lens's radius, CSS pixels. */
const RADIUS = 110;

export interface MagnifierHandle {
  /** Shows the lens centred on `at` (canvas CSS pixels), drawn as `view` shows the image. */
  show(view: LensView, at: { x: number; y: number }): void;
  move(at: { x: number; y: number }): void;
  hide(): void;
}

/**
 * The magnifying glass over the viewport (imaging/magnify.ts draws it from the file's pixels). It
 * follows the pointer outside React: one redraw per frame, not one render of the viewer per move.
 */
export function Magnifier({ image, ref }: { image: DecodedImage; ref: Ref<MagnifierHandle> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const state = useRef<{ view: LensView; at: { x: number; y: number }; frame: number } | null>(null);

  const draw = () => {
    const el = canvas.current;
    const s = state.current;
    if (!el || !s) return;
    s.frame = 0;
    const dpr = window.devicePixelRatio || 1;
    const size = Math.round(2 * RADIUS * dpr);
    if (el.width !== size) el.width = el.height = size;
    el.style.left = `${s.at.x - RADIUS}px`;
    el.style.top = `${s.at.y - RADIUS}px`;
    el.getContext('2d')?.putImageData(new ImageData(lensPixels(image, s.view, s.at, size, dpr), size, size), 0, 0);
    el.hidden = false;
    el.dataset.factor = lensFactor(s.view, dpr).toFixed(2);
  };

  // Another image: the lens over the last one goes.
  useEffect(() => () => hideLens(state, canvas), [image]);

  useImperativeHandle(ref, () => ({
    show(view, at) {
      state.current = { view, at, frame: 0 };
      draw();
    },
    move(at) {
      const s = state.current;
      if (!s) return;
      s.at = at;
      s.frame ||= requestAnimationFrame(draw);
    },
    hide: () => hideLens(state, canvas),
  }));

  return <canvas ref={canvas} className="magnifier" data-testid="magnifier" hidden aria-hidden="true" style={{ width: 2 * RADIUS, height: 2 * RADIUS }} />;
}

function hideLens(state: RefObject<{ frame: number } | null>, canvas: RefObject<HTMLCanvasElement | null>): void {
  if (state.current?.frame) cancelAnimationFrame(state.current.frame);
  state.current = null;
  if (canvas.current) canvas.current.hidden = true;
}
