import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeEngineHost } from '../../node/engine-host';
import { loadOrtForNode } from '../../node/ort-node';
import type { GrayDecoder } from '../../preprocess/types';
import { InferenceEngine } from '../../worker/engine';
import type { GenerateOptions } from '../../worker/protocol';
import { decodeToGray } from '../../imaging/decode-node';

export const REPORT_USAGE = `usage: npm run cli -- report <image> [--model DIR] [--greedy] [--preset report|differential]
                               [--question TEXT] [--max-new-tokens N] [--ep auto|webgpu|wasm] [--seed N]
  Streams a report for one image in Node (Dawn WebGPU where an adapter exists, else wasm) and
  prints stage timings. --model defaults to the bundled demo model (random weights).`;

interface ReportArgs {
  image: string;
  model: string;
  ep: 'auto' | 'webgpu' | 'wasm';
  options: GenerateOptions;
}

export function parseReportArgs(args: string[]): ReportArgs | string {
  let image: string | undefined;
  let model = 'public/models/cxr-llava-tiny';
  let ep: ReportArgs['ep'] = 'auto';
  const options: GenerateOptions = { preset: 'report', temperature: 0.2, topP: 0.8 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--model') model = next();
      else if (a === '--greedy') options.temperature = 0;
      else if (a === '--preset') options.preset = next() as GenerateOptions['preset'];
      else if (a === '--question') {
        options.preset = 'question';
        options.question = next();
      } else if (a === '--max-new-tokens') options.maxNewTokens = Number(next());
      else if (a === '--seed') options.seed = Number(next());
      else if (a === '--ep') ep = next() as ReportArgs['ep'];
      else if (a.startsWith('--')) return `unknown option ${a}`;
      else image = a;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (!image) return 'an image path is required';
  if (!['auto', 'webgpu', 'wasm'].includes(ep)) return `--ep must be auto, webgpu or wasm`;
  if (!['report', 'differential', 'question'].includes(options.preset)) return `unknown preset ${options.preset}`;
  return { image, model, ep, options };
}

export async function reportCommand(args: string[], decode: GrayDecoder = decodeToGray): Promise<number> {
  const parsed = parseReportArgs(args);
  if (typeof parsed === 'string') {
    console.error(`${parsed}\n\n${REPORT_USAGE}`);
    return 2;
  }
  const t0 = performance.now();
  const { ort, provider, note } = await loadOrtForNode(parsed.ep);
  const engine = new InferenceEngine(nodeEngineHost(ort));
  const manifestUrl = pathToFileURL(path.resolve(parsed.model, 'manifest.json')).href;
  // 'auto' lets the engine choose each stage's provider (rules, then a measured probe).
  const info = await engine.load({ manifestUrl, executionProvider: parsed.ep === 'auto' ? undefined : provider }, () => {});
  if (info.randomWeights) console.error(`note: ${info.modelName} has random weights; its output is meaningless.`);
  const t1 = performance.now();
  const image = await decode(new Uint8Array(await readFile(parsed.image)), path.basename(parsed.image));
  const t2 = performance.now();
  const enc = await engine.encode(image);
  let stats = '';
  await engine.generate(parsed.options, (r) => {
    if (r.kind === 'delta') process.stdout.write(r.text);
    if (r.kind === 'complete') {
      const c = r.info;
      stats =
        `prompt ${c.promptTokens} tokens, ${c.tokenIds.length} new (${c.reason}); prefill ${c.prefillMs.toFixed(0)} ms, ` +
        `first token ${c.timeToFirstTokenMs.toFixed(0)} ms, ${c.tokensPerSecond.toFixed(1)} tokens/s`;
    }
  });
  process.stdout.write('\n');
  console.error(
    [
      `runtime: ${info.backend}; vision ${info.visionProvider} ${info.visionDtype} (${note}); ${info.providers.vision.reason}`,
      `load ${(t1 - t0).toFixed(0)} ms; decode ${(t2 - t1).toFixed(0)} ms; preprocess ${enc.preprocessMs.toFixed(0)} ms; encode ${enc.encodeMs.toFixed(0)} ms`,
      stats,
    ].join('\n'),
  );
  await engine.dispose();
  return 0;
}
