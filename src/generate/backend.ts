import type { PromptSegment } from './image-tokens';

/**
 * What the generation loop needs from a decoder runtime: run positions through the model while
 * keeping the KV cache, and cut the cache back. Two implementations: `onnx` (ONNX Runtime Web)
 * and `webllm` (the loaded WebLLM pipeline's own functions).
 */
export interface DecoderBackend {
  /** e.g. "onnx · webgpu" — shown in the status line. */
  readonly description: string;
  /** Positions currently held in the KV cache. */
  readonly cacheLength: number;
  /**
   * Positions the runtime's KV cache can hold at most (WebLLM: the model library's context
   * window); undefined when only the model itself bounds it (ONNX).
   */
  readonly contextLimit?: number;
  /** Image rows (float32, count x dim) used wherever a prompt has an image segment. */
  setImage(rows: Float32Array, count: number, dim: number): Promise<void>;
  /** Appends the segments to the cache and returns the logits of the last position. */
  forward(segments: PromptSegment[]): Promise<Float32Array>;
  /** Keeps the first `length` positions of the cache. */
  trimCache(length: number): Promise<void>;
  dispose(): Promise<void>;
}
