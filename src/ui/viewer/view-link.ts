import { createContext, useContext } from 'react';
import type { Viewport } from '../../imaging';

export type ViewRole = 'open' | 'prior';

/**
 * Zoom and pan of the open image and the prior beside it, linked on request (Compare → Link): a
 * zoom or pan in either viewer is made in the other too, by the same factor and the same distance
 * on screen, so both show the same region when they started alike. The window is never linked: two
 * exposures need their own. Each viewer's zoom, pan and fit go through here.
 */
export class ViewLink {
  private linked = false;
  private readonly viewports = new Map<ViewRole, Viewport>();

  setLinked(on: boolean): void {
    this.linked = on;
  }

  attach(role: ViewRole, viewport: Viewport): () => void {
    this.viewports.set(role, viewport);
    return () => {
      if (this.viewports.get(role) === viewport) this.viewports.delete(role);
    };
  }

  zoom(from: ViewRole, factor: number): void {
    for (const v of this.targets(from)) v.zoom(factor);
  }

  pan(from: ViewRole, dx: number, dy: number): void {
    for (const v of this.targets(from)) v.pan(dx, dy);
  }

  fit(from: ViewRole): void {
    for (const v of this.targets(from)) v.fit();
  }

  /** The viewer the change came from, and with the link on, the other one. */
  private targets(from: ViewRole): Viewport[] {
    const own = this.viewports.get(from);
    const others = this.linked ? [...this.viewports].filter(([role, v]) => role !== from && v.hasImage).map(([, v]) => v) : [];
    return own ? [own, ...others] : others;
  }
}

/** The link between the viewers on screen; without a provider, each viewer stands alone. */
export const ViewLinkContext = createContext<ViewLink | null>(null);

export function useViewLink(): ViewLink | null {
  return useContext(ViewLinkContext);
}
