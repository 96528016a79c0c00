import { formatBytes } from '../capabilities/format';
import { useAppStore } from './store-context';

/** Says, before anything loads, which model this app will run. */
export function ModelSummary() {
  const model = useAppStore((s) => s.model);
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
        </div>
      )}
    </section>
  );
}
