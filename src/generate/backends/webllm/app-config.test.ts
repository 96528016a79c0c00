import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../model/catalog';
import type { ModelManifest } from '../../../model/manifest';
import { ModelLoadError } from '../../../worker/errors';
import { buildWebLlmAppConfig, chooseWebLlmQuant } from './app-config';

const tiny = parseManifest(readFileSync(path.resolve('public/models/cxr-llava-tiny/manifest.json'), 'utf8'));
const URL_ = 'https://app.example/models/cxr-llava-tiny/manifest.json';

/** The tiny manifest given what a real conversion has: a model lib for each quantisation. */
function withLibs(m: ModelManifest, libs: { q4f16_1?: string; q4f32_1?: string | null }): ModelManifest {
  const copy = structuredClone(m);
  const w = copy.decoder.webllm!;
  if (libs.q4f16_1 !== undefined) w.q4f16_1!.modelLib = libs.q4f16_1;
  if (libs.q4f32_1 === null) delete w.q4f32_1;
  else if (libs.q4f32_1 !== undefined) w.q4f32_1!.modelLib = libs.q4f32_1;
  return copy;
}

function thrown(fn: () => unknown): ModelLoadError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelLoadError);
    return err as ModelLoadError;
  }
  throw new Error('expected an error');
}

describe('choosing the quantisation', () => {
  it('takes q4f16_1 with shader-f16 and q4f32_1 without', () => {
    expect(chooseWebLlmQuant(tiny, true)).toBe('q4f16_1');
    expect(chooseWebLlmQuant(tiny, false)).toBe('q4f32_1');
  });

  it('says why a q4f16_1-only model cannot run on a GPU without shader-f16', () => {
    const f16only = withLibs(tiny, { q4f32_1: null });
    expect(chooseWebLlmQuant(f16only, true)).toBe('q4f16_1');
    const err = thrown(() => chooseWebLlmQuant(f16only, false));
    expect(err.code).toBe('needs-shader-f16');
    expect(err.message).toMatch(/shader-f16.*no q4f32_1 conversion/);
  });

  it('refuses a manifest without a WebLLM conversion', () => {
    const none = structuredClone(tiny);
    delete none.decoder.webllm;
    expect(thrown(() => chooseWebLlmQuant(none, true)).code).toBe('no-webllm');
  });
});

describe('AppConfig from a manifest', () => {
  it('fails clearly for the tiny model, which has no compiled model lib', () => {
    for (const quant of ['q4f16_1', 'q4f32_1'] as const) {
      const err = thrown(() => buildWebLlmAppConfig(tiny, URL_, quant));
      expect(err.code).toBe('no-model-lib');
      expect(err.message).toMatch(/no compiled WebLLM model library exists for CXR-LLaVA tiny.*use the onnx backend/i);
    }
  });

  it('builds one ModelRecord with absolute URLs, the manifest sizes and shader-f16 for q4f16_1', () => {
    const m = withLibs(tiny, { q4f16_1: 'https://libs.example/Llama-2-7b-chat-hf-q4f16_1_cs1k-webgpu.wasm', q4f32_1: 'libs/llama-q4f32_1.wasm' });
    const c = buildWebLlmAppConfig(m, URL_, 'q4f16_1');
    expect(c.modelId).toBe('cxr-llava-tiny-q4f16_1');
    expect(c.appConfig).toEqual({
      cacheBackend: 'cache',
      model_list: [
        {
          model: 'https://app.example/models/cxr-llava-tiny/mlc-q4f16_1/resolve/main/',
          model_id: 'cxr-llava-tiny-q4f16_1',
          model_lib: 'https://libs.example/Llama-2-7b-chat-hf-q4f16_1_cs1k-webgpu.wasm',
          // The tiny twin's llama block carries the published max_position_embeddings, 4096.
          overrides: { context_window_size: 4096, prefill_chunk_size: 1024 },
          vram_required_MB: 131.94,
          low_resource_required: false,
          required_features: ['shader-f16'],
        },
      ],
    });

    const f32 = buildWebLlmAppConfig(m, URL_, 'q4f32_1', 'indexeddb');
    expect(f32.record.model_lib).toBe('https://app.example/models/cxr-llava-tiny/libs/llama-q4f32_1.wasm');
    expect(f32.record.model).toBe('https://app.example/models/cxr-llava-tiny/mlc-q4f32_1/resolve/main/');
    expect(f32.record.required_features).toBeUndefined();
    expect(f32.appConfig.cacheBackend).toBe('indexeddb');
  });

  it('refuses a model folder WebLLM would rewrite (no resolve/<rev>/)', () => {
    const m = withLibs(tiny, { q4f16_1: 'lib.wasm' });
    m.decoder.webllm!.q4f16_1!.modelFolder = 'mlc-q4f16_1/';
    expect(thrown(() => buildWebLlmAppConfig(m, URL_, 'q4f16_1')).message).toMatch(/resolve\/<revision>\//);
    m.decoder.webllm!.q4f16_1!.modelFolder = 'mlc-q4f16_1/resolve/main'; // a missing final slash is fine
    expect(buildWebLlmAppConfig(m, URL_, 'q4f16_1').record.model).toBe('https://app.example/models/cxr-llava-tiny/mlc-q4f16_1/resolve/main/');
  });

  it('needs an absolute manifest URL outside a page', () => {
    const m = withLibs(tiny, { q4f16_1: 'lib.wasm' });
    expect(thrown(() => buildWebLlmAppConfig(m, '/models/x/manifest.json', 'q4f16_1')).code).toBe('manifest-invalid');
  });
});
