import { useState } from 'react';
import { formatBytes } from '../capabilities/format';
import type { ModelManifest } from '../model/manifest';
import { useController } from './controller-context';
import { useAppStore } from './store-context';
import { SettingsPanel } from './SettingsPanel';

/** Which model runs, its load state and progress, and the generation settings. */
export function ModelPanel() {
  const controller = useController();
  const model = useAppStore((s) => s.model);
  const load = useAppStore((s) => s.load);
  return (
    <section className="panel" aria-labelledby="model-heading">
      <h2 id="model-heading">Model</h2>
      {model.status === 'unknown' && <p>Looking for a model…</p>}
      {model.status === 'missing' && (
        <p role="alert" data-testid="model-missing">
          {model.message}
        </p>
      )}
      {model.status === 'found' && (
        <div data-testid="model-found">
          <p>
            Will run <strong>{model.manifest.name}</strong> <code>{model.manifest.id}</code>
          </p>
          {model.manifest.randomWeights && (
            <p className="warning" data-testid="random-weights">
              Demo model with random weights — output is meaningless.
            </p>
          )}
          <p className="muted">
            {model.manifest.vision.imageTokens} image tokens of width {model.manifest.vision.outputDim};{' '}
            {model.manifest.decoder.numLayers}-layer decoder, context {model.manifest.decoder.contextLength};{' '}
            {formatBytes(model.manifest.files.reduce((n, f) => n + f.bytes, 0))} of files.
          </p>
          <div className="toolbar">
            <button type="button" onClick={() => void controller.loadModel(model.manifestUrl)} disabled={load.status === 'loading'}>
              {load.status === 'loaded' ? 'Reload model' : 'Load model'}
            </button>
            <DeleteCachedModel manifestUrl={model.manifestUrl} manifest={model.manifest} />
            <span data-testid="model-load-status" data-status={load.status}>
              {load.status === 'loaded' && `Loaded: ${load.info.backend}, vision on ${load.info.visionProvider} (${load.info.visionDtype}) in ${(load.info.loadMs / 1000).toFixed(1)} s`}
              {load.status === 'failed' && <span role="alert">{load.message}</span>}
              {load.status === 'loading' && load.message}
            </span>
          </div>
          {load.status === 'loading' && (
            <ul className="progress-list" aria-label="Download progress">
              {Object.values(load.files).map((f) => (
                <li key={f.path}>
                  <code>{f.path}</code> <progress max={f.total} value={f.loaded} aria-label={`${f.path} download`} />{' '}
                  {f.fromCache ? 'from cache' : `${formatBytes(f.loaded)} / ${formatBytes(f.total)}`}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <SettingsPanel />
    </section>
  );
}

function DeleteCachedModel({ manifestUrl, manifest }: { manifestUrl: string; manifest: ModelManifest }) {
  const controller = useController();
  const [note, setNote] = useState('');
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          const n = await controller.deleteCachedModel(manifestUrl, manifest);
          setNote(n ? `Removed ${n} cached files.` : 'Nothing was cached.');
        }}
      >
        Delete cached model
      </button>
      {note && <span className="muted">{note}</span>}
    </>
  );
}
