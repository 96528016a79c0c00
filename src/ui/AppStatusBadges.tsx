import { useAppStore } from './store-context';

/** Offline indicator and the new-version prompt, in the header. */
export function AppStatusBadges() {
  const online = useAppStore((s) => s.online);
  const offlineReady = useAppStore((s) => s.offlineReady);
  const applyUpdate = useAppStore((s) => s.applyUpdate);
  const busy = useAppStore((s) => s.streaming !== null);
  return (
    <div className="app-badges">
      <span className={`badge ${online ? 'online' : 'offline'}`} role="status" data-testid="network-status" data-online={online}>
        {online ? (offlineReady ? 'Online · works offline' : 'Online') : 'Offline — everything runs locally'}
      </span>
      {applyUpdate && (
        <span className="badge update" role="status">
          A new version is ready.{' '}
          <button type="button" onClick={() => void applyUpdate()} disabled={busy} title={busy ? 'Wait until the answer is finished' : undefined}>
            Reload to update
          </button>
        </span>
      )}
    </div>
  );
}
