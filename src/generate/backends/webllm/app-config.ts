import type { AppConfig, ChatOptions, ModelRecord } from '@mlc-ai/web-llm';
import type { ModelManifest, WebLlmDecoderSpec } from '../../../model/manifest';
import { ModelLoadError } from '../../../worker/errors';

export type WebLlmQuant = 'q4f16_1' | 'q4f32_1';
export type WebLlmCacheBackend = NonNullable<AppConfig['cacheBackend']>;

export interface WebLlmModelConfig {
  quant: WebLlmQuant;
  modelId: string;
  spec: WebLlmDecoderSpec;
  record: ModelRecord;
  appConfig: AppConfig;
}

/**
 * q4f16_1 needs the WebGPU feature shader-f16; without it only a q4f32_1 conversion (with a q4f32
 * model lib) can run. The reason a model cannot run is said in full, because the UI shows it as is.
 */
export function chooseWebLlmQuant(manifest: Pick<ModelManifest, 'name' | 'decoder'>, gpuHasF16: boolean): WebLlmQuant {
  const webllm = manifest.decoder.webllm;
  if (!webllm || (!webllm.q4f16_1 && !webllm.q4f32_1)) {
    throw new ModelLoadError(`${manifest.name} has no WebLLM conversion; use the onnx backend.`, 'no-webllm');
  }
  if (webllm.q4f16_1 && gpuHasF16) return 'q4f16_1';
  if (webllm.q4f32_1) return 'q4f32_1';
  throw new ModelLoadError(
    `${manifest.name} is converted for WebLLM only as q4f16_1, which needs the WebGPU feature shader-f16; ` +
      'this GPU/browser does not offer it, and the model has no q4f32_1 conversion that would run without it.',
    'needs-shader-f16',
  );
}

/** WebLLM's own test (cleanModelUrl in lib/index.js): without it, it appends "resolve/main/". */
const HAS_RESOLVE_REV = /.+\/resolve\/.+\//;

/**
 * WebLLM's AppConfig with one ModelRecord for this manifest. URLs are made absolute here: WebLLM
 * resolves relative ones against document.URL, which is not the manifest's folder.
 */
export function buildWebLlmAppConfig(
  manifest: Pick<ModelManifest, 'id' | 'name' | 'decoder'>,
  manifestUrl: string,
  quant: WebLlmQuant,
  cacheBackend: WebLlmCacheBackend = 'cache',
): WebLlmModelConfig {
  const spec = manifest.decoder.webllm?.[quant];
  if (!spec) throw new ModelLoadError(`${manifest.name} has no ${quant} WebLLM conversion.`, 'no-webllm');
  if (!spec.modelLib) {
    throw new ModelLoadError(
      `No compiled WebLLM model library exists for ${manifest.name} (${quant}); use the onnx backend.`,
      'no-model-lib',
    );
  }
  const base = absoluteManifestUrl(manifestUrl);
  let model = new URL(spec.modelFolder, base).href;
  if (!model.endsWith('/')) model += '/';
  if (!HAS_RESOLVE_REV.test(model)) {
    throw new ModelLoadError(
      `The WebLLM model folder ${model} must end in resolve/<revision>/ (e.g. resolve/main/): WebLLM appends resolve/main/ to any other URL.`,
      'manifest-invalid',
    );
  }
  const modelId = `${manifest.id}-${quant}`;
  // prefill_chunk_size is not a ChatOptions field and WebLLM 0.2.86 takes the real value from the
  // lib's _metadata; it is passed for the record, and the backend checks the lib's own value.
  const overrides: ChatOptions & { prefill_chunk_size: number } = {
    context_window_size: spec.contextWindow,
    prefill_chunk_size: spec.prefillChunkSize,
  };
  const record: ModelRecord = {
    model,
    model_id: modelId,
    model_lib: new URL(spec.modelLib, base).href,
    overrides,
    vram_required_MB: Math.round((spec.vramBytes / 2 ** 20) * 100) / 100,
    low_resource_required: false,
    ...(quant === 'q4f16_1' ? { required_features: ['shader-f16'] } : {}),
  };
  return { quant, modelId, spec, record, appConfig: { model_list: [record], cacheBackend } };
}

function absoluteManifestUrl(manifestUrl: string): string {
  try {
    return new URL(manifestUrl, globalThis.location?.href).href;
  } catch {
    throw new ModelLoadError(`The manifest URL ${manifestUrl} must be absolute here (no page location to resolve it against).`, 'manifest-invalid');
  }
}
