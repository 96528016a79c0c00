import type { KeyboardEvent } from 'react';
import { PANELS } from './panels';

/**
 * The open panels, stacked in a column beside the report (never over it, so nothing in the main
 * flow is covered). Closed panels stay mounted, hidden. Escape inside a panel closes it.
 */
export function PanelDrawer({ open, close }: { open: ReadonlySet<string>; close: (id: string) => void }) {
  const onKeyDown = (id: string) => (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented || (e.target as Element).closest('dialog[open]')) return;
    // Handled here, so the page-wide Escape (stop generating) does not also fire.
    e.preventDefault();
    close(id);
    document.querySelector<HTMLElement>(`[aria-controls="panel-${id}"]`)?.focus();
  };
  return (
    <aside className="panel-drawer" aria-label="Open panels" hidden={open.size === 0} data-testid="panel-drawer">
      {PANELS.map((p) => (
        <div key={p.id} id={`panel-${p.id}`} className="drawer-panel" hidden={!open.has(p.id)} onKeyDown={onKeyDown(p.id)}>
          <button type="button" className="drawer-close" onClick={() => close(p.id)} aria-label={`Close ${p.label}`} title={`Close ${p.label} (Escape)`}>
            ×
          </button>
          {p.render()}
        </div>
      ))}
    </aside>
  );
}
