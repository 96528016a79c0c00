import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../model/manifest';
import { OnnxDecoderBackend } from './backends/onnx-backend';
import { ChatSession, type GenerationEvent } from './chat-session';
import { llama2Tokenizer } from './test-tokenizer';

const modelDir = fileURLToPath(new URL('../../public/models/cxr-llava-tiny/', import.meta.url));
const goldenDir = fileURLToPath(new URL('../../models/tiny/golden/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${modelDir}manifest.json`, 'utf8')) as ModelManifest;
const golden = JSON.parse(readFileSync(`${goldenDir}golden.json`, 'utf8'));
const f32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

async function complete(gen: AsyncGenerator<GenerationEvent>) {
  let prefill: Extract<GenerationEvent, { type: 'prefill' }> | undefined;
  for await (const e of gen) {
    if (e.type === 'prefill') prefill = e;
    if (e.type === 'complete') return { prefill: prefill!, done: e };
  }
  throw new Error('no complete event');
}

/**
 * The generation loop + ONNX backend against the PyTorch reference (models/reference.py) on the
 * tiny random twin: the same greedy token ids for the report prompt and for a follow-up question,
 * given the reference's image rows. Browser runs of the same check live in e2e/.
 */
describe('tiny model, ONNX backend on wasm, against the PyTorch golden ids', () => {
  let chat: ChatSession;
  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    const backend = await OnnxDecoderBackend.create({
      ort,
      embedModel: readFileSync(`${modelDir}${manifest.decoder.onnx!.embed}`),
      decoderModel: readFileSync(`${modelDir}${manifest.decoder.onnx!.decoder}`),
      spec: manifest.decoder,
      executionProvider: 'wasm',
    });
    await backend.setImage(f32(`${goldenDir}${golden.imageRows.file}`), manifest.vision.imageTokens, manifest.vision.outputDim);
    chat = new ChatSession(backend, await llama2Tokenizer({ legacy: manifest.tokenizer.legacy }), manifest);
  }, 60_000);

  it('report prompt: same prompt length and the same greedy ids', async () => {
    const { prefill, done } = await complete(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1, maxNewTokens: golden.maxNewTokensPerTurn }));
    expect(prefill.promptTokens).toBe(golden.report.ids.length - 1 + manifest.vision.imageTokens);
    expect(done.tokenIds).toEqual(golden.report.greedy);
  }, 120_000);

  it('follow-up: the same greedy ids, reusing the cached image and first turn', async () => {
    const { prefill, done } = await complete(chat.ask(golden.chat.followUp, { temperature: 0, topP: 1, maxNewTokens: golden.maxNewTokensPerTurn }));
    expect(prefill.promptTokens).toBe(golden.chat.turn2.ids.length - 1 + manifest.vision.imageTokens);
    // Exactly the positions the two prompts share: the whole first turn, plus as much of the answer
    // as re-tokenises the same once rendered into the template (random text may not, from its
    // first token: "wią" generated after "]" becomes "▁w" "ią" after " ").
    const turn1: number[] = [...golden.report.ids, ...golden.report.greedy];
    let shared = 0;
    while (shared < turn1.length && turn1[shared] === golden.chat.turn2.ids[shared]) shared++;
    expect(shared).toBeGreaterThanOrEqual(golden.report.ids.length);
    expect(prefill.reusedTokens).toBe(shared - 1 + manifest.vision.imageTokens);
    expect(done.tokenIds).toEqual(golden.chat.turn2.greedy);
  }, 120_000);
});
