import { probeBrowser } from '../capabilities/probe-browser';
import { discoverModel, modelCandidates } from '../model/catalog';
import type { AppStore } from '../state/store';

/** Fills the store with what this machine can do and which model will run. */
export function startCapabilityProbe(store: AppStore): void {
  const s = store.getState();
  probeBrowser().then(s.setCapabilities, (err: unknown) =>
    s.setCapabilitiesError(err instanceof Error ? err.message : String(err)),
  );
  discoverModel(modelCandidates(import.meta.env, import.meta.env.BASE_URL)).then(s.setModel);
}
