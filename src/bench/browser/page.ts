// The bench page: starts the bench worker (ORT runs in a worker, as in the app) and hands the
// driver `window.cxrBench.run(request)`. Progress goes to `window.cxrBenchProgress`, which the
// driver exposes, so a run cut off by its time limit still reports the stages it finished.
import type { BenchPageApi, BenchProgress, BenchRequest, WorkerReply } from './protocol';

declare global {
  interface Window {
    cxrBench?: BenchPageApi;
    cxrBenchProgress?: (p: BenchProgress) => void;
  }
}

function run(request: BenchRequest): Promise<unknown> {
  // A fresh worker per request: each gets its own wasm heap and WebGPU device, like a fresh app load.
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'bench' });
  return new Promise<unknown>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.kind === 'progress') {
        window.cxrBenchProgress?.(reply.progress);
        return;
      }
      worker.terminate();
      if (reply.kind === 'result') resolve(reply.value);
      else reject(new Error(reply.message));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`bench worker failed: ${event.message || 'worker error'}`));
    };
    worker.postMessage(request);
  });
}

window.cxrBench = { run } as BenchPageApi;
document.getElementById('status')!.textContent = 'ready';
