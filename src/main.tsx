import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { StoreProvider } from './ui/store-context';
import { ControllerProvider } from './ui/controller-context';
import { createAppStore } from './state/store';
import { startCapabilityProbe } from './ui/start-probe';
import { SessionController } from './session/controller';
import { connectStudyToModel } from './session/connect-study';
import { startOffline } from './offline/register';
import { persistSettings } from './session/settings-storage';
import { InferenceClient } from './worker/client';
import { startDraftPersistence } from './session/drafts';
import { decodeInWorker } from './imaging/decode';
import { warmUpDecoder } from './imaging/warm-up';
import './ui/styles.css';

const store = createAppStore();
const controller = new SessionController(store, () => InferenceClient.create());
// e2e tests simulate GPU faults through this; it exists only when the URL asks for it.
if (new URLSearchParams(location.search).has('test-hooks')) {
  (window as unknown as { __cxrTestHooks: unknown }).__cxrTestHooks = { destroyGpuDevice: () => controller.destroyDeviceForTest() };
}
persistSettings(store);
startOffline(store);
connectStudyToModel(store, controller);
startCapabilityProbe(store, controller);
// The image decoder's worker and wasm start now, not on the first image dropped.
void warmUpDecoder((bytes, name) => decodeInWorker(bytes.buffer as ArrayBuffer, name));
// Drafts come back after a reload, even before the image is opened again.
startDraftPersistence(store);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <ControllerProvider controller={controller}>
        <App />
      </ControllerProvider>
    </StoreProvider>
  </StrictMode>,
);
