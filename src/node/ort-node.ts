import type * as Ort from 'onnxruntime-web';
import { isSoftwareAdapter } from '../capabilities/choose-provider';
import { probeWebGpu } from '../capabilities/probe-webgpu';
import { createNodeGpu } from '../cli/node-webgpu';

export interface NodeOrt {
  ort: typeof Ort;
  provider: 'webgpu' | 'wasm';
  note: string;
}

/**
 * ONNX Runtime Web in Node. Its Node entry has only wasm; for WebGPU we load the build the app
 * ships (`onnxruntime-web/webgpu`, the native WebGPU EP) on Dawn's `navigator.gpu`, with one shim
 * (patchWriteBuffer, below). 'auto' never takes a software adapter (SwiftShader): as in the app,
 * wasm is many times faster than it.
 */
export async function loadOrtForNode(want: 'auto' | 'webgpu' | 'wasm' = 'auto'): Promise<NodeOrt> {
  if (want !== 'wasm') {
    const { gpu, note } = await createNodeGpu();
    const info = gpu && want === 'auto' ? await probeWebGpu(gpu) : null;
    if (info?.available && isSoftwareAdapter(info)) {
      const ort = (await import('onnxruntime-web')) as unknown as typeof Ort;
      return { ort, provider: 'wasm', note: `ONNX Runtime wasm (CPU); the only WebGPU adapter is software (${note})` };
    }
    if (gpu) {
      const g = globalThis as { navigator?: { gpu?: GPU } };
      if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
      else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
      patchWriteBuffer();
      const ort = (await import('onnxruntime-web/webgpu')) as unknown as typeof Ort;
      ort.env.wasm.numThreads = 1;
      return { ort, provider: 'webgpu', note };
    }
    if (want === 'webgpu') throw new Error(`WebGPU was requested but Node has none: ${note}`);
  }
  const ort = (await import('onnxruntime-web')) as unknown as typeof Ort;
  return { ort, provider: 'wasm', note: 'ONNX Runtime wasm (CPU)' };
}

/**
 * dawn.node's `queue.writeBuffer` refuses SharedArrayBuffer memory, and ORT's wasm heap is one:
 * it passes views of it, and JSEP's upload path passes the SharedArrayBuffer itself with byte
 * offsets. Both are copied into a plain buffer first (offsets and sizes counted as WebGPU does:
 * in elements for typed arrays, in bytes for a bare buffer). Exported for the benchmarks.
 */
export function patchWriteBuffer(): void {
  const proto = (globalThis as { GPUQueue?: { prototype: GPUQueue & { __cxrPatched?: boolean } } }).GPUQueue?.prototype;
  if (!proto || proto.__cxrPatched || typeof SharedArrayBuffer === 'undefined') return;
  const original = proto.writeBuffer;
  proto.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset?: number, size?: number) {
    if (data instanceof SharedArrayBuffer) {
      const start = dataOffset ?? 0;
      return original.call(this, buffer, offset, new Uint8Array(data, start, size ?? data.byteLength - start).slice());
    }
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
      const unit = 'BYTES_PER_ELEMENT' in data ? (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : 1;
      const start = data.byteOffset + (dataOffset ?? 0) * unit;
      const length = size === undefined ? data.byteLength - (dataOffset ?? 0) * unit : size * unit;
      return original.call(this, buffer, offset, new Uint8Array(data.buffer, start, length).slice());
    }
    return original.call(this, buffer, offset, data as BufferSource, dataOffset, size);
  } as GPUQueue['writeBuffer'];
  proto.__cxrPatched = true;
}
