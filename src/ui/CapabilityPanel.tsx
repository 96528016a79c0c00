import { formatBytes } from '../capabilities/format';
import { ortBuildForBrowser } from '../encode/ort-env';
import { runGpuSelfTest } from './run-selftest';
import { useAppStore, useAppStoreApi } from './store-context';

/** What this machine offers and which runtime each stage will use. */
export function CapabilityPanel() {
  const caps = useAppStore((s) => s.caps);
  const plan = useAppStore((s) => s.plan);
  const error = useAppStore((s) => s.capsError);
  // What ORT could start, once a model has loaded: the page may be isolated and still have its
  // thread workers blocked (encode/ort-env.ts ortThreads).
  const ortThreads = useAppStore((s) => (s.load.status === 'loaded' ? s.load.info.wasmThreads : undefined));
  return (
    <section className="panel" aria-labelledby="caps-heading" data-testid="capabilities">
      <h2 id="caps-heading">This device</h2>
      {error && <p role="alert">Could not check this device: {error}</p>}
      {!caps && !error && <p>Checking WebGPU, threads and storage…</p>}
      {caps && (
        <>
          <dl className="facts">
            <dt>WebGPU</dt>
            <dd data-testid="webgpu-status" data-available={caps.webgpu.available}>
              {caps.webgpu.available
                ? `${caps.webgpu.vendor || 'unknown vendor'} · ${caps.webgpu.architecture || 'unknown architecture'}` +
                  (caps.webgpu.isFallbackAdapter ? ' · software fallback adapter' : '')
                : `Not available. ${caps.webgpu.reason}`}
            </dd>
            {caps.webgpu.available && (
              <>
                <dt>shader-f16</dt>
                <dd data-testid="shader-f16">{caps.webgpu.shaderF16 ? 'yes' : 'no'}</dd>
                <dt>GPU buffers</dt>
                <dd>
                  max {formatBytes(caps.webgpu.maxBufferSize)}, storage binding{' '}
                  {formatBytes(caps.webgpu.maxStorageBufferBindingSize)}
                </dd>
              </>
            )}
            <dt>wasm threads</dt>
            <dd data-testid="wasm-threads">
              {ortThreads?.singleThreadReason
                ? `one: ONNX Runtime cannot start its threads here; ${ortThreads.singleThreadReason}`
                : caps.wasmThreads
                  ? `yes, ${caps.logicalCores} logical cores${ortThreads ? `; ONNX Runtime uses ${ortThreads.count}` : ''}`
                  : 'no (page is not cross-origin isolated)'}
            </dd>
            <dt>ONNX Runtime</dt>
            <dd data-testid="ort-build">
              {ortBuildForBrowser() === 'jspi'
                ? 'JSPI build: this browser has WebAssembly JS Promise Integration'
                : 'asyncify build: this browser has no WebAssembly JS Promise Integration (a larger, slower build)'}
            </dd>
            <dt>Storage</dt>
            <dd>
              {caps.storage
                ? `${formatBytes(caps.storage.usageBytes)} used of ${formatBytes(caps.storage.quotaBytes)} available`
                : 'unknown'}
            </dd>
          </dl>
          {!caps.webgpu.available && (
            <p className="warning" data-testid="no-webgpu">
              Without WebGPU you can still open and view images, and the vision encoder runs on the CPU
              (wasm). The 7B language model cannot run, so reports cannot be generated here.
            </p>
          )}
          <table className="plan">
            <caption>Runtime for each stage</caption>
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Runtime</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {plan.map((p) => (
                <tr key={p.stage} data-testid={`plan-${p.stage}`}>
                  <td>{p.stage}</td>
                  <td>
                    <code>{p.runtime}</code>
                  </td>
                  <td>{p.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <SelfTest />
        </>
      )}
    </section>
  );
}

function SelfTest() {
  const store = useAppStoreApi();
  const selfTest = useAppStore((s) => s.selfTest);
  return (
    <div className="selftest">
      <button type="button" onClick={() => void runGpuSelfTest(store)} disabled={selfTest.status === 'running'}>
        Run GPU self-test
      </button>
      <span data-testid="selftest-result" data-status={selfTest.status} aria-live="polite">
        {selfTest.status === 'running' && ' Running the test graph on WebGPU and on wasm…'}
        {selfTest.status === 'failed' && ` ${selfTest.message}`}
        {selfTest.status === 'done' && (
          <span data-max-abs-diff={selfTest.result.maxAbsDiff} data-ok={selfTest.result.ok}>
            {selfTest.result.ok ? ' Passed' : ' FAILED'}: WebGPU matches wasm to{' '}
            {selfTest.result.maxAbsDiff.toExponential(2)} (limit {selfTest.result.tolerance.toExponential(0)});
            WebGPU {selfTest.result.webgpu.runMs.toFixed(1)} ms, wasm {selfTest.result.wasm.runMs.toFixed(1)} ms.
          </span>
        )}
      </span>
    </div>
  );
}
