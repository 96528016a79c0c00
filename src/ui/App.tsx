import { CapabilityPanel } from './CapabilityPanel';
import { ModelSummary } from './ModelSummary';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>CXR-LLaVA Web</h1>
        <p className="tagline">Chest radiograph reading assistant. Runs on your own GPU; no image or text leaves this device.</p>
      </header>
      <div role="note" className="banner">
        AI-generated drafts are not for clinical use without review by a radiologist.
      </div>
      <main className="app-main">
        <ModelSummary />
        <CapabilityPanel />
      </main>
    </div>
  );
}
