import { useCallback, useEffect, useState } from 'react';
import { AppStatusBadges } from './AppStatusBadges';
import { ModelStatus } from './layout/ModelStatus';
import { PanelBar } from './layout/PanelBar';
import { PanelDrawer } from './layout/PanelDrawer';
import { SendReport } from './dicomweb/SendReport';
import { ChatPanel } from './reading/ChatPanel';
import { ReportPanel } from './reading/ReportPanel';
import { StatusLine } from './reading/StatusLine';
import { ViewerColumn } from './viewer/ViewerColumn';
import './layout/layout.css';

/**
 * The reading room: the image fills the left pane at full height, the report and the follow-up
 * chat sit beside it, and the page itself does not scroll. Model, image information, device and
 * settings are panels the user opens (src/ui/layout/panels.tsx).
 */
export function App() {
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((id: string) => setOpen((o) => (o.has(id) ? without(o, id) : new Set(o).add(id))), []);
  const close = useCallback((id: string) => setOpen((o) => without(o, id)), []);
  // "?" anywhere but in a text field opens or closes the list of keys.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (e.target instanceof Element && e.target.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      toggle('keys');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggle]);
  return (
    <div className="app">
      <header className="app-header">
        <h1>CXR-LLaVA Web</h1>
        <p role="note" className="banner">
          AI-generated draft — not for clinical use without review by a radiologist.
        </p>
        <ModelStatus />
        <PanelBar open={open} toggle={toggle} />
        <AppStatusBadges />
      </header>
      <main className="reading-room" data-drawer={open.size > 0}>
        <div className="viewer-column" data-testid="viewer-column">
          <ViewerColumn />
        </div>
        <div className="report-column">
          <ReportPanel />
          <SendReport />
          <ChatPanel />
        </div>
        <PanelDrawer open={open} close={close} />
      </main>
      <StatusLine />
    </div>
  );
}

function without(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(set);
  next.delete(id);
  return next;
}
