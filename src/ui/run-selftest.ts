import { loadOrtForBrowser } from '../encode/ort-env';
import type { AppStore } from '../state/store';

/** Loads ORT lazily (it is large) and compares WebGPU against wasm on public/selftest.onnx. */
export async function runGpuSelfTest(store: AppStore): Promise<void> {
  const { setSelfTest } = store.getState();
  setSelfTest({ status: 'running' });
  try {
    const [{ ort }, { compareProviders }] = await Promise.all([
      loadOrtForBrowser(import.meta.env.BASE_URL),
      import('../selftest/ort-selftest'),
    ]);
    const res = await fetch(`${import.meta.env.BASE_URL}selftest.onnx`);
    if (!res.ok) throw new Error(`self-test model not found (${res.status})`);
    const model = new Uint8Array(await res.arrayBuffer());
    setSelfTest({ status: 'done', result: await compareProviders(ort, model) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    setSelfTest({ status: 'failed', message: `WebGPU self-test could not run: ${message}` });
  }
}
