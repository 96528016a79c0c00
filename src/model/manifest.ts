/**
 * The model manifest: one JSON file per model folder (`<folder>/manifest.json`), written by the
 * converter in `models/`. The app never hard-codes a model; everything it needs to know about a
 * model's shapes, files, prompts and licence is read from here.
 *
 * All paths are relative to the folder that holds manifest.json.
 */
export interface ModelManifest {
  schemaVersion: 1;
  /** Stable id, e.g. "cxr-llava-v2" or "cxr-llava-tiny". */
  id: string;
  name: string;
  /**
   * true for random-weight models made for tests and the demo: their output is meaningless and
   * the UI must say so.
   */
  randomWeights: boolean;
  description: string;
  license: { name: string; text: string };
  source: { checkpoint: string; converter: string; createdAt: string };
  vision: VisionSpec;
  decoder: DecoderSpec;
  tokenizer: TokenizerSpec;
  prompts: PromptSpec;
  generation: GenerationDefaults;
  /**
   * Reference outputs for the bundled sample radiograph (models/selfcheck.py): the app runs the
   * model on the sample after its first load on a device and compares (src/selfcheck/). Optional:
   * a folder converted before it existed cannot be verified, and the UI says so.
   */
  selfCheck?: string;
  /** Every file of the folder the app may fetch, with its size and sha256 (hex). */
  files: ManifestFile[];
}

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface VisionSpec {
  /** ONNX files by dtype. fp16 is optional (used when the adapter has shader-f16). */
  onnx: { fp32: string; fp16?: string };
  /** Graph input: float32 [1, channels, imageSize, imageSize]. */
  inputName: string;
  /** Graph output: float32 (or float16 for the fp16 file) [1, imageTokens, outputDim]. */
  outputName: string;
  imageSize: number;
  channels: number;
  patchSize: number;
  /** Image rows injected into the prompt (1024 for 512 px / patch 16). */
  imageTokens: number;
  /** Width of each image row = the decoder's hidden size. */
  outputDim: number;
  /** Per-channel normalisation after x / 255, from the checkpoint's image_preprocess_cfg. */
  mean: number[];
  std: number[];
  /** Resampling used for the short-side resize (PIL's LANCZOS for CXR-LLaVA). */
  resample: 'lanczos';
}

export interface DecoderSpec {
  architecture: 'llama';
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** Context window in tokens (max_position_embeddings; 2048 when the checkpoint has none). */
  contextLength: number;
  bosTokenId: number;
  eosTokenId: number;
  /** The decoder for the `onnx` backend, if converted. */
  onnx?: OnnxDecoderSpec;
  /** The decoder for the `webllm` backend, by quantisation, if converted. */
  webllm?: Partial<Record<'q4f16_1' | 'q4f32_1', WebLlmDecoderSpec>>;
}

/**
 * Two graphs: `embed` maps input_ids (int64 [1, n]) to inputs_embeds (float32 [1, n, hidden]);
 * `decoder` takes inputs_embeds, attention_mask (int64 [1, past + n]), position_ids (int64 [1, n])
 * and past_key_values.{i}.key/value (float32 [1, kvHeads, past, headDim]) and returns logits
 * of the last position only (float32 [1, 1, vocab]) and present.{i}.key/value (float32 [1, kvHeads, past + n, headDim]).
 */
export interface OnnxDecoderSpec {
  embed: string;
  decoder: string;
  dtype: 'float32' | 'float16';
}

export interface WebLlmDecoderSpec {
  /**
   * Folder of mlc-chat-config.json, tensor-cache.json and params_shard_*.bin. WebLLM appends
   * `resolve/main/` to URLs without `/resolve/<rev>/`, so the folder ends in `resolve/main/`.
   */
  modelFolder: string;
  /** URL of the compiled model library (.wasm); absolute, or relative to the manifest. */
  modelLib: string;
  /** Context window the model lib was compiled for. */
  contextWindow: number;
  prefillChunkSize: number;
  /** Bytes of GPU memory the model needs (weights + KV cache at contextWindow), for the UI. */
  vramBytes: number;
}

export interface TokenizerSpec {
  /** Hugging Face tokenizer.json (what @mlc-ai/web-tokenizers loads). */
  json: string;
  /** SentencePiece model, when the checkpoint ships one. */
  sentencepiece?: string;
  /**
   * transformers' LlamaTokenizer `legacy` flag from the checkpoint's tokenizer_config.json.
   * false: text right after a special token gets no dummy-prefix "▁" (`<s>[INST]` -> 1, 29961);
   * true: it does (1, 518).
   */
  legacy: boolean;
  /** tokenizer_config.json add_bos_token / add_eos_token: what `tokenizer(text)` wraps around the ids. */
  addBosToken: boolean;
  addEosToken: boolean;
}

export interface PromptSpec {
  system: string;
  /** User turn texts. `<image>` marks where the image rows go; `{question}` is replaced. */
  report: string;
  differential: string;
  question: string;
  /** The literal image placeholder. */
  imageToken: '<image>';
}

export interface GenerationDefaults {
  temperature: number;
  topP: number;
  /**
   * transformers' top_k (GenerationConfig's default 50: the checkpoint's generation_config.json
   * sets nothing); 0 turns it off.
   */
  topK: number;
  /**
   * Upper bound on new tokens. As upstream, an answer also stops at contextLength - (prompt ids,
   * the image counted as one) - 1, and at what the runtime's context still holds.
   */
  maxNewTokens: number;
}
