import { useAppStore } from '../store-context';

/** A few words in the header: is the model ready (details in the Model panel). */
export function ModelStatus() {
  const model = useAppStore((s) => s.model);
  const load = useAppStore((s) => s.load);
  const text =
    model.status === 'missing'
      ? 'No model found'
      : load.status === 'loaded'
        ? `Model ready${load.info.randomWeights ? ' (demo)' : ''}`
        : load.status === 'loading'
          ? 'Loading the model…'
          : load.status === 'failed'
            ? 'Model failed to load'
            : model.status === 'found'
              ? 'Model not loaded'
              : 'Looking for a model…';
  return (
    <span className={`model-status${load.status === 'failed' || model.status === 'missing' ? ' error-text' : ''}`} data-testid="header-model-status" data-status={load.status}>
      {text}
    </span>
  );
}
