import { AppStatusBadges } from './AppStatusBadges';
import { CapabilityPanel } from './CapabilityPanel';
import { SendReport } from './dicomweb/SendReport';
import { StudyBrowser } from './dicomweb/StudyBrowser';
import { WorklistPanel } from './worklist/WorklistPanel';
import { ModelPanel } from './ModelPanel';
import { ChatPanel } from './reading/ChatPanel';
import { ReportPanel } from './reading/ReportPanel';
import { StatusLine } from './reading/StatusLine';
import { ViewerColumn } from './viewer/ViewerColumn';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>CXR-LLaVA Web</h1>
        <p className="tagline">Chest radiograph reading assistant. Runs on your own GPU; no image or text leaves this device.</p>
        <AppStatusBadges />
      </header>
      <div role="note" className="banner">
        AI-generated draft — not for clinical use without review by a radiologist.
      </div>
      <main className="reading-room">
        <div className="viewer-column" data-testid="viewer-column">
          <ViewerColumn />
        </div>
        <div className="report-column">
          <ReportPanel />
          <SendReport />
          <ChatPanel />
        </div>
      </main>
      <StatusLine />
      <div className="side-panels">
        <WorklistPanel />
        <StudyBrowser />
        <ModelPanel />
        <CapabilityPanel />
      </div>
    </div>
  );
}
