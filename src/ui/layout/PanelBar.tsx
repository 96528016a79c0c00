import { PANELS } from './panels';

/** Toggles for the side panels (disclosure buttons: several may be open at once). */
export function PanelBar({ open, toggle }: { open: ReadonlySet<string>; toggle: (id: string) => void }) {
  return (
    <nav className="panel-bar" aria-label="Panels">
      {PANELS.map((p) => (
        <button
          key={p.id}
          type="button"
          className="panel-toggle"
          aria-expanded={open.has(p.id)}
          aria-controls={`panel-${p.id}`}
          onClick={() => toggle(p.id)}
          data-testid={`panel-toggle-${p.id}`}
        >
          {p.label}
          {p.Badge && <p.Badge />}
        </button>
      ))}
    </nav>
  );
}
