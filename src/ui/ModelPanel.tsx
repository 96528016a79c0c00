import { useState } from 'react';
import { formatBytes } from '../capabilities/format';
import { discoverModel } from '../model/catalog';
import { describeVerification } from '../state/verification-slice';
import type { ModelManifest } from '../model/manifest';
import { useController } from './controller-context';
import { SinceLastUpdate } from './SinceLastUpdate';
import { useAppStore } from './store-context';

/** Which model runs, its load state and progress. */
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
          <MemoryFit manifest={model.manifest} />
          <div className="toolbar">
            <button type="button" onClick={() => void controller.loadModel(model.manifestUrl)} disabled={load.status === 'loading'}>
              {load.status === 'loaded' ? 'Reload model' : 'Load model'}
            </button>
            {load.status === 'loading' && (
              <button type="button" onClick={() => controller.cancelLoad()}>
                Cancel
              </button>
            )}
            <DeleteCachedModel manifestUrl={model.manifestUrl} manifest={model.manifest} />
            <span data-testid="model-load-status" data-status={load.status}>
              {load.status === 'loaded' && `Loaded: ${load.info.backend}, vision on ${load.info.visionProvider} (${load.info.visionDtype}) in ${(load.info.loadMs / 1000).toFixed(1)} s`}
              {load.status === 'failed' && <span role="alert">{load.message}</span>}
              {load.status === 'loading' && (
                <>
                  {load.message}
                  <SinceLastUpdate since={load.lastUpdate} />
                </>
              )}
            </span>
          </div>
          {load.status === 'loaded' && <VerificationStatus />}
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
      <ModelPicker />
    </section>
  );
}

/**
 * The self-check: whether this model has proven itself on this device with the sample radiograph
 * (and if not, which stage failed), with a button to run it again.
 */
function VerificationStatus() {
  const controller = useController();
  const v = useAppStore((s) => s.verification);
  const streaming = useAppStore((s) => !!s.streaming);
  const text =
    v.status === 'verified'
      ? `Verified on this device (${v.at.slice(0, 10)}, ${(v.result.ms / 1000).toFixed(1)} s): ${v.result.summary}`
      : v.status === 'failed'
        ? `Self-check FAILED at the ${v.stage} stage: ${v.summary} Reports from this model are marked as made with a model that failed its self-check.`
        : v.status === 'running'
          ? `Verifying on this device: ${v.message}…`
          : `${describeVerification(v)} Reports are marked as made with an unverified model.`;
  return (
    <div className="toolbar model-verification">
      <button type="button" onClick={() => void controller.verifyModel()} disabled={v.status === 'running' || streaming}>
        Verify model
      </button>
      <span
        data-testid="model-verification"
        data-status={v.status}
        data-stage={v.status === 'failed' ? v.stage : undefined}
        role={v.status === 'failed' ? 'alert' : undefined}
        className={v.status === 'failed' ? 'error-text' : v.status === 'verified' ? undefined : 'warning'}
      >
        {text}
      </span>
    </div>
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

/**
 * What the model needs on the GPU against what this adapter reports. Browsers do not say how much
 * GPU memory is free, only the largest buffer; WebLLM publishes each model's requirement.
 */
function MemoryFit({ manifest }: { manifest: ModelManifest }) {
  const caps = useAppStore((s) => s.caps);
  const web = manifest.decoder.webllm?.q4f16_1 ?? manifest.decoder.webllm?.q4f32_1;
  const visionBytes = manifest.files.find((f) => f.path === manifest.vision.onnx.fp32)?.bytes ?? 0;
  const onnxDecoder = manifest.decoder.onnx
    ? manifest.files.filter((f) => f.path === manifest.decoder.onnx!.decoder || f.path === manifest.decoder.onnx!.embed).reduce((n, f) => n + f.bytes, 0)
    : 0;
  const needs = web?.modelLib ? web.vramBytes + visionBytes : onnxDecoder + visionBytes;
  const gpu = caps?.webgpu;
  return (
    <p className="muted" data-testid="memory-fit">
      GPU memory needed: about {formatBytes(needs)}
      {web?.modelLib ? ` (4-bit decoder at ${web.contextWindow} tokens of context + vision encoder)` : ' (ONNX decoder + vision encoder)'}.{' '}
      {gpu?.available
        ? `This GPU allows buffers up to ${formatBytes(gpu.maxBufferSize)}; browsers do not report free GPU memory, so a model that does not fit fails at load with a message.`
        : 'No WebGPU adapter: ONNX stages run on the CPU (wasm).'}
    </p>
  );
}

/**
 * Choose another model by its manifest URL (e.g. a self-hosted CXR-LLaVA folder). Hosts other
 * than this app's origin must also be allowed by the Content-Security-Policy (VITE_CXR_MODEL_URL
 * or VITE_CXR_CONNECT_ORIGINS at build time).
 */
function ModelPicker() {
  const setModel = useAppStore((s) => s.setModel);
  const current = useAppStore((s) => (s.model.status === 'found' ? s.model.manifestUrl : ''));
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="toolbar model-picker"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!url.trim()) return;
        setBusy(true);
        setModel(await discoverModel([url.trim()]));
        setBusy(false);
      }}
    >
      <input aria-label="Model manifest URL" placeholder={current || '/models/cxr-llava-v2/manifest.json'} value={url} onChange={(e) => setUrl(e.target.value)} />
      <button type="submit" disabled={busy || !url.trim()}>
        Use this model
      </button>
    </form>
  );
}
