import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from './manifest';
import { GOLDEN_DIR, readJson, TINY_DIR, type Golden } from './mlc/tiny-fixtures';

const manifest = readJson<ModelManifest>(path.join(TINY_DIR, 'manifest.json'));

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

describe('tiny model manifest', () => {
  it('lists every file of the folder with its exact size and sha256', () => {
    const listed = manifest.files.map((f) => f.path).sort();
    expect(listed).toEqual(walk(TINY_DIR).filter((p) => p !== 'manifest.json').sort());
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(TINY_DIR, f.path));
      expect(bytes.length, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
    }
  });

  it('points at files it lists, and says it is a random-weight model without a WebLLM lib', () => {
    const paths = new Set(manifest.files.map((f) => f.path));
    const v = manifest.vision;
    for (const p of [v.onnx.fp32, v.onnx.fp16!, manifest.decoder.onnx!.embed, manifest.decoder.onnx!.decoder, manifest.tokenizer.json]) {
      expect(paths.has(p), p).toBe(true);
    }
    for (const spec of Object.values(manifest.decoder.webllm ?? {})) {
      expect(paths.has(`${spec.modelFolder}tensor-cache.json`)).toBe(true);
      expect(paths.has(`${spec.modelFolder}mlc-chat-config.json`)).toBe(true);
      expect(spec.modelFolder.endsWith('resolve/main/')).toBe(true);
      expect(spec.modelLib).toBe('');
    }
    expect(manifest.randomWeights).toBe(true);
    expect(v.imageTokens).toBe((v.imageSize / v.patchSize) ** 2);
    expect(v.outputDim).toBe(manifest.decoder.hiddenSize);
  });

  it('carries the reference prompts that produced the golden token ids', () => {
    const golden = readJson<Golden>(path.join(GOLDEN_DIR, 'golden.json'));
    const p = manifest.prompts;
    const rendered = `<s>[INST] <<SYS>>\n${p.system}\n<</SYS>>\n\n${p.report.trim()} [/INST]`;
    expect(golden.report.text).toBe(rendered);
    expect(p.question.replace('{question}', 'x')).toBe('<image>\nx');
    expect(manifest.generation).toEqual({ temperature: 0.2, topP: 0.8, topK: 50, maxNewTokens: 512 });
    // The tiny twin carries LLaMA-2-chat's tokenizer_config: legacy=false.
    expect(manifest.tokenizer).toMatchObject({ legacy: false, addBosToken: true, addEosToken: false });
  });
});
