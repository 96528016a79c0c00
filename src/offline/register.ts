import { registerSW } from 'virtual:pwa-register';
import type { AppStore } from '../state/store';

/**
 * Registers the service worker and tracks the network. A new app version is only offered
 * (store.updateReady); the user applies it with the reload button, which waits while a report
 * or answer is being written.
 */
export function startOffline(store: AppStore): void {
  const s = store.getState();
  const setOnline = () => s.setOnline(navigator.onLine);
  addEventListener('online', setOnline);
  addEventListener('offline', setOnline);
  setOnline();
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const update = registerSW({
    onNeedRefresh: () => s.setUpdate(() => update(true)),
    onOfflineReady: () => s.setOfflineReady(true),
  });
}
