import type { VisionEncoder } from '../encode/vision-encoder';
import type { ModelManifest } from '../model/manifest';
import { preprocessGray } from '../preprocess/preprocess';
import type { DecoderBackend } from './backend';
import { ChatSession } from './chat-session';
import { presetUserText } from './prompt';
import type { TextTokenizer } from './tokenizer';

export interface WarmUpParts {
  manifest: ModelManifest;
  vision: VisionEncoder;
  backend: DecoderBackend;
  tokenizer: TextTokenizer;
}

/**
 * Runs every stage once at its real shapes: a blank image through the vision encoder, the report
 * prompt's prefill (with those image rows), one decode step. Shader compilation and first-run
 * allocations are paid here rather than on the user's first image. Leaves the KV cache empty.
 * `say(step, text)` is told before each of the 3 steps. Shared by the engine and the benchmarks.
 */
export async function warmUpStages(m: WarmUpParts, say: (step: number, text: string) => void = () => {}, now: () => number = () => performance.now()): Promise<number> {
  const t0 = now();
  const { imageSize } = m.manifest.vision;
  say(1, 'preprocessing and vision encoder');
  // A blank image through the real preprocessing (its loops get compiled hot at a radiograph-like
  // size), then the encoder at its real input shape.
  const side = 2 * imageSize;
  const { tensor } = preprocessGray({ width: side, height: side + side / 4, data: new Uint8Array(side * (side + side / 4)) }, m.manifest.vision);
  const rows = await m.vision.encode(tensor);
  say(2, 'prefill of the report prompt');
  await m.backend.trimCache(0);
  await m.backend.setImage(rows.rows, rows.count, rows.dim);
  const chat = new ChatSession(m.backend, m.tokenizer, m.manifest, now);
  const prompt = presetUserText(m.manifest.prompts, 'report', '');
  await chat.prime(prompt);
  say(3, 'first token and one decode step');
  // The sampler and the detokeniser run once too (their first call is slow), then one step.
  for await (const e of chat.ask(prompt, { temperature: m.manifest.generation.temperature, topP: m.manifest.generation.topP, maxNewTokens: 1 })) void e;
  await m.backend.forward([{ kind: 'text', ids: [m.manifest.decoder.bosTokenId] }]);
  await m.backend.trimCache(0);
  return now() - t0;
}
