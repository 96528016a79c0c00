import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { StoreProvider } from './ui/store-context';
import { createAppStore } from './state/store';
import { startCapabilityProbe } from './ui/start-probe';
import './ui/styles.css';

const store = createAppStore();
startCapabilityProbe(store);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
