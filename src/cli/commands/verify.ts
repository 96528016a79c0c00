import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeToGray } from '../../imaging/decode-node';
import { nodeEngineHost } from '../../node/engine-host';
import { loadOrtForNode } from '../../node/ort-node';
import { InferenceEngine } from '../../worker/engine';

export const VERIFY_USAGE = `usage: npm run cli -- verify [--model DIR] [--ep auto|webgpu|wasm] [--sample FILE] [--json]
  The model self-check (as the app's "Verify model"): runs the sample radiograph through this
  machine's stages (Dawn WebGPU where an adapter exists, else wasm) and compares each with the
  model folder's selfcheck.json. Exit 0 verified, 1 failed, 3 the folder has no selfcheck.json.`;

export async function verifyCommand(args: string[]): Promise<number> {
  let model = 'public/models/cxr-llava-tiny';
  let sample = 'public/samples/cxr-sample.jpg';
  let ep: 'auto' | 'webgpu' | 'wasm' = 'auto';
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = args[i + 1];
    if (a === '--json') json = true;
    else if ((a === '--model' || a === '--sample' || a === '--ep') && value !== undefined) {
      i++;
      if (a === '--model') model = value;
      else if (a === '--sample') sample = value;
      else if (value === 'auto' || value === 'webgpu' || value === 'wasm') ep = value;
      else return usageError(`--ep must be auto, webgpu or wasm`);
    } else return usageError(`unknown or incomplete option ${a}`);
  }
  const { ort, provider, note } = await loadOrtForNode(ep);
  const engine = new InferenceEngine(nodeEngineHost(ort));
  const info = await engine.load({ manifestUrl: pathToFileURL(path.resolve(model, 'manifest.json')).href, executionProvider: provider }, () => {});
  const bytes = new Uint8Array(await readFile(sample));
  const image = await decodeToGray(bytes, path.basename(sample));
  const result = await engine.selfCheck(image, createHash('sha256').update(bytes).digest('hex'), () => {});
  await engine.dispose();
  if (json) console.log(JSON.stringify({ model: info.modelId, backend: info.backend, vision: `${info.visionProvider} ${info.visionDtype}`, note, result }, null, 2));
  else if (!result) console.log(`${info.modelName}: no selfcheck.json in ${model}; convert it again with models/convert.py.`);
  else {
    const verdict = result.ok ? 'VERIFIED' : `FAILED at the ${result.failedStage} stage`;
    console.log(`${info.modelName} on ${info.backend}, vision ${info.visionProvider} ${info.visionDtype} (${note}): ${verdict} in ${(result.ms / 1000).toFixed(1)} s\n${result.summary}`);
  }
  return !result ? 3 : result.ok ? 0 : 1;
}

function usageError(message: string): number {
  console.error(`${message}\n\n${VERIFY_USAGE}`);
  return 2;
}
