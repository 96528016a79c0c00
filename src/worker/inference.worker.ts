/// <reference lib="webworker" />
// Worker entry: routes protocol messages to the engine; no logic of its own.
import { createStore, get, set } from 'idb-keyval';
import { boundGpuRequests } from '../capabilities/gpu-request-bounds';
import { probeBrowser } from '../capabilities/probe-browser';
import { loadOrtForBrowser } from '../encode/ort-env';
import { loadWebTokenizers } from '../generate/tokenizer-browser';
import { InferenceEngine } from './engine';
import { serializeError } from './errors';
import type { Reply, Request, RequestEnvelope } from './protocol';

// Before ORT or WebLLM can ask for a GPU: their adapter and device requests get a time bound.
boundGpuRequests();

const probeStore = createStore('cxr-llava-provider-probe', 'results');
const post = (id: number, reply: Reply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage({ id, reply });
// ORT's build is picked at run time (ort-env.ts), so it loads before the engine exists; the
// handler is set at once and every message waits for the same promise, keeping their order.
const engineReady = loadOrtForBrowser(import.meta.env.BASE_URL).then(
  ({ ort, build, threads }) =>
    new InferenceEngine({
      ort,
      ortBuild: build,
      ortThreads: threads,
      loadTokenizers: loadWebTokenizers,
      probe: probeBrowser,
      fetchFn: (input, init) => fetch(input, init),
      now: () => performance.now(),
      onDeviceLost: (message) => post(0, { kind: 'device-lost', message }),
      storageEstimate: async () => {
        const e = await navigator.storage.estimate();
        return { quota: e.quota ?? 0, usage: e.usage ?? 0 };
      },
      probeCache: { get: (key) => get(key, probeStore), set: (key, value) => set(key, value, probeStore) },
    }),
);

// A failed ORT import fails each model request with its message; 'check' does not need ORT.
engineReady.catch(() => {});

self.onmessage = async (event: MessageEvent<RequestEnvelope>) => {
  const { id, request } = event.data;
  const emit = (reply: Reply) => post(id, reply);
  try {
    if (request.kind === 'check') emit({ kind: 'checked', caps: await probeBrowser() });
    else await route(request, emit, await engineReady);
    emit({ kind: 'done' });
  } catch (err) {
    emit({ kind: 'error', error: serializeError(err) });
  }
};

async function route(request: Exclude<Request, { kind: 'check' }>, emit: (reply: Reply) => void, engine: InferenceEngine): Promise<void> {
  switch (request.kind) {
    case 'load':
      emit({ kind: 'ready', info: await engine.load(request.options, emit) });
      break;
    case 'encode':
      emit({ kind: 'encoded', info: await engine.encode(request.image, request.history, request.prime) });
      break;
    case 'selfcheck':
      emit({ kind: 'selfchecked', result: await engine.selfCheck(request.image, request.sampleSha256, emit) });
      break;
    case 'generate':
      await engine.generate(request.options, emit);
      break;
    case 'interrupt':
      engine.interrupt();
      break;
    case 'reset':
      engine.reset();
      break;
    case 'dispose':
      await engine.dispose();
      break;
    case 'debug-destroy-device':
      await engine.destroyDeviceForTest();
      break;
  }
}
