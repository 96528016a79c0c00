import type * as Ort from 'onnxruntime-web';
import { probeNode } from '../cli/probe-node';
import type { EngineHost } from '../worker/engine';
import { fileFetch } from './file-fetch';
import { loadWebTokenizersNode } from './web-tokenizers';

/**
 * The engine's host in Node. ORT's Node entry has only the CPU/wasm backends; its browser build
 * (with WebGPU) runs on Dawn when `webgpu` is wanted, after one shim (see ort-node.ts).
 */
export function nodeEngineHost(ort: typeof Ort): EngineHost {
  return {
    ort,
    loadTokenizers: async () => loadWebTokenizersNode(),
    probe: probeNode,
    fetchFn: fileFetch,
    now: () => performance.now(),
  };
}
