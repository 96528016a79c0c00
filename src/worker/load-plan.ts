import type { CapabilityReport } from '../capabilities/types';
import { formatBytes } from '../capabilities/format';
import { webLlmBytesToDownload } from '../model/artifacts';
import { chooseWebLlmQuant } from '../generate/backends/webllm/app-config';
import type { ModelManifest } from '../model/manifest';
import { ModelLoadError } from './errors';
import type { LoadOptions } from './protocol';

/**
 * What the engine decides before a model loads, from the manifest and the device alone: which
 * decoder runs, what will be downloaded and whether the browser's storage can hold it, and what
 * to say when the GPU runs out of memory on the way.
 */

/**
 * WebLLM (the 4-bit production decoder) when the manifest names a compiled model library and
 * there is a GPU; the ONNX decoder otherwise (the demo model, wasm-only machines, or when the
 * user forces a provider for the ONNX stages).
 */
export function chooseDecoder(manifest: ModelManifest, caps: CapabilityReport, options: LoadOptions): boolean {
  const lib = manifest.decoder.webllm;
  const hasLib = !!(lib?.q4f16_1?.modelLib || lib?.q4f32_1?.modelLib);
  if (!hasLib || !caps.webgpu.available || options.executionProvider === 'wasm') return false;
  if (options.decoderBackend === 'onnx' && manifest.decoder.onnx) return false;
  return true;
}

/** What WebLLM will download for the variant it will pick (the backend picks the same way). */
export async function webLlmDownloadBytes(base: string, manifest: ModelManifest, caps: CapabilityReport): Promise<number> {
  const quant = chooseWebLlmQuant(manifest, caps.webgpu.available && caps.webgpu.shaderF16);
  const spec = manifest.decoder.webllm?.[quant];
  return spec ? webLlmBytesToDownload(base, manifest, spec.modelFolder) : 0;
}

/** Fails before any download when the browser's storage quota cannot hold the files. */
export function checkStorage(estimate: { quota: number; usage: number } | null | undefined, needed: number): void {
  if (!estimate || !needed) return;
  const free = Math.max(0, estimate.quota - estimate.usage);
  if (needed > free) {
    throw new ModelLoadError(
      `Not enough browser storage for the model: it needs ${formatBytes(needed)} more and ${formatBytes(free)} is available. Free space (or clear other site data) and try again.`,
      'quota',
    );
  }
}

/** A manifest URL as fetch sees it: against the page in browsers, the file system in Node. */
export function resolveUrl(url: string): string {
  const base = typeof location !== 'undefined' ? location.href : 'file:///';
  return new URL(url, base).href;
}

/**
 * Allocation failures while the model goes onto the GPU become one clear message: what the model
 * needs and what the adapter offers. (Browsers do not report free GPU memory, so this is known only
 * when it fails, or up front when a single file exceeds the adapter's largest buffer.)
 */
export function asOutOfMemory(err: unknown, manifest: ModelManifest, caps: CapabilityReport): ModelLoadError | null {
  const text = err instanceof Error ? err.message : String(err);
  if (!/out of memory|oom|allocat|exceeds|too large|maxBufferSize|maxStorageBufferBindingSize/i.test(text)) return null;
  const quant = manifest.decoder.webllm?.q4f16_1 ?? manifest.decoder.webllm?.q4f32_1;
  const needed = quant?.vramBytes ?? manifest.files.reduce((n, f) => n + f.bytes, 0);
  const offers = caps.webgpu.available
    ? `the GPU adapter allows buffers of at most ${formatBytes(caps.webgpu.maxBufferSize)} (storage binding ${formatBytes(caps.webgpu.maxStorageBufferBindingSize)})`
    : 'there is no WebGPU adapter';
  return new ModelLoadError(
    `The GPU ran out of memory loading ${manifest.name}: it needs about ${formatBytes(needed)}, and ${offers}. Close other GPU-heavy tabs, or choose wasm in Settings. (${text})`,
    'out-of-memory',
  );
}
