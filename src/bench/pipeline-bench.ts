import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeToGray } from '../imaging/decode-node';
import type { ModelManifest } from '../model/manifest';
import { loadOrtForNode } from '../node/ort-node';
import { loadWebTokenizersNode } from '../node/web-tokenizers';
import { runPipelineStages, type PipelineBenchResult, type PipelineStageOptions } from './pipeline-core';

export interface PipelineBenchOptions extends PipelineStageOptions {
  modelDir: string;
  image: string;
  ep: 'auto' | 'webgpu' | 'wasm';
}

/**
 * The pipeline's stages timed in Node (pipeline-core.ts; the browser bench runs the same code in
 * headless Chromium): model files from a folder, ORT's Node build (wasm) or its browser build on
 * Dawn (WebGPU), the Node decoder.
 */
export async function runPipelineBench(o: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const manifest = JSON.parse(await readFile(path.join(o.modelDir, 'manifest.json'), 'utf8')) as ModelManifest;
  const { ort, provider, note } = await loadOrtForNode(o.ep);
  return runPipelineStages(
    {
      ort,
      provider,
      runtime: note,
      manifest,
      file: (p) => readFile(path.join(o.modelDir, p)).then((b) => new Uint8Array(b)),
      tokenizers: loadWebTokenizersNode(),
      decodeToGray,
      image: { bytes: new Uint8Array(await readFile(o.image)), name: path.basename(o.image) },
      cpuNowMs: () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      },
    },
    o,
  );
}
