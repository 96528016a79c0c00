import type { VisionEncoder } from '../encode/vision-encoder';
import type { ModelManifest } from '../model/manifest';
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
  const { imageSize, channels } = m.manifest.vision;
  say(1, 'vision encoder');
  const rows = await m.vision.encode(new Float32Array(channels * imageSize * imageSize));
  say(2, 'prefill of the report prompt');
  await m.backend.trimCache(0);
  await m.backend.setImage(rows.rows, rows.count, rows.dim);
  const chat = new ChatSession(m.backend, m.tokenizer, m.manifest, now);
  await chat.prime(presetUserText(m.manifest.prompts, 'report', ''));
  say(3, 'one decode step');
  await m.backend.forward([{ kind: 'text', ids: [m.manifest.decoder.bosTokenId] }]);
  await m.backend.trimCache(0);
  return now() - t0;
}
