import { useEffect, useRef, useState, type RefObject } from 'react';
import { Viewport, type ViewState } from '../../imaging';
import { useViewLink, type ViewRole } from './view-link';

export const ZOOM_STEP = 1.2;

/**
 * A Cornerstone viewport on the element for the component's life: the wheel zooms, it follows the
 * element's size, and `view` is its state after each render (for the data-* attributes tests read
 * and the overlays drawn in its coordinates). `role`: its place in the view link (view-link.ts),
 * through which its zoom, pan and fit go (`link`); without a link they act on it alone.
 */
export function useViewport(elementRef: RefObject<HTMLDivElement | null>, role: ViewRole) {
  const viewportRef = useRef<Viewport | null>(null);
  const [view, setView] = useState<ViewState | null>(null);
  const link = useViewLink();
  useEffect(() => {
    const element = elementRef.current!;
    const viewport = new Viewport(element);
    viewportRef.current = viewport;
    const detach = link?.attach(role, viewport);
    const off = viewport.onRendered(() => setView(viewport.state()));
    const onWheel = (e: WheelEvent) => {
      if (!viewport.hasImage) return;
      e.preventDefault();
      const factor = e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP;
      if (link) link.zoom(role, factor);
      else viewport.zoom(factor);
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    const resize = new ResizeObserver(() => viewport.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      element.removeEventListener('wheel', onWheel);
      off();
      detach?.();
      viewport.dispose();
      viewportRef.current = null;
    };
  }, [elementRef, link, role]);
  const zoom = (factor: number) => (link ? link.zoom(role, factor) : viewportRef.current?.zoom(factor));
  const pan = (dx: number, dy: number) => (link ? link.pan(role, dx, dy) : viewportRef.current?.pan(dx, dy));
  const fit = () => (link ? link.fit(role) : viewportRef.current?.fit());
  return { viewportRef, view, zoom, pan, fit };
}
