import { useEffect, useRef, useState, type RefObject } from 'react';
import { Viewport, type ViewState } from '../../imaging';

export const ZOOM_STEP = 1.2;

/**
 * A Cornerstone viewport on the element for the component's life: the wheel zooms, it follows the
 * element's size, and `view` is its state after each render (for the data-* attributes tests read
 * and the overlays drawn in its coordinates).
 */
export function useViewport(elementRef: RefObject<HTMLDivElement | null>) {
  const viewportRef = useRef<Viewport | null>(null);
  const [view, setView] = useState<ViewState | null>(null);
  useEffect(() => {
    const element = elementRef.current!;
    const viewport = new Viewport(element);
    viewportRef.current = viewport;
    const off = viewport.onRendered(() => setView(viewport.state()));
    const onWheel = (e: WheelEvent) => {
      if (!viewport.hasImage) return;
      e.preventDefault();
      viewport.zoom(e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    const resize = new ResizeObserver(() => viewport.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      element.removeEventListener('wheel', onWheel);
      off();
      viewport.dispose();
      viewportRef.current = null;
    };
  }, [elementRef]);
  return { viewportRef, view };
}
