/// <reference lib="webworker" />
// Worker entry: routes protocol messages to the engine; no logic of its own.
import { createStore, get, set } from 'idb-keyval';
import { boundGpuRequests } from '../capabilities/gpu-request-bounds';
import { probeBrowser } from '../capabilities/probe-browser';
import { loadOrtForBrowser } from '../encode/ort-env';
import { loadWebTokenizers } from '../generate/tokenizer-browser';
import { InferenceEngine } from './engine';
import type { Reply, RequestEnvelope } from './protocol';
import { answer } from './route';

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

self.onmessage = (event: MessageEvent<RequestEnvelope>) => answer(event.data, engineReady, probeBrowser, post);
