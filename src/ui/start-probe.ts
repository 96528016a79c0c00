import { probeBrowser } from '../capabilities/probe-browser';
import { discoverModel, modelCandidates } from '../model/catalog';
import type { SessionController } from '../session/controller';
import type { AppStore } from '../state/store';

/**
 * Fills the store with what this machine can do and which model will run. The small demo model
 * is loaded at once so the app works out of the box; a real model (gigabytes) waits for the
 * user's click.
 */
export function startCapabilityProbe(store: AppStore, controller: SessionController): void {
  const s = store.getState();
  probeBrowser().then(s.setCapabilities, (err: unknown) =>
    s.setCapabilitiesError(err instanceof Error ? err.message : String(err)),
  );
  void discoverModel(modelCandidates(import.meta.env, import.meta.env.BASE_URL)).then((found) => {
    s.setModel(found);
    if (found.status === 'found' && found.manifest.randomWeights) void controller.loadModel(found.manifestUrl);
  });
}
