import type * as Ort from 'onnxruntime-web';
import type { DecoderSpec } from '../../model/manifest';
import type { DecoderBackend } from '../backend';
import type { PromptSegment } from '../image-tokens';

type OrtModule = typeof Ort;
type Tensor = Ort.Tensor;

export interface OnnxBackendOptions {
  ort: OrtModule;
  embedModel: Uint8Array;
  decoderModel: Uint8Array;
  spec: Pick<DecoderSpec, 'hiddenSize' | 'numLayers' | 'numKeyValueHeads' | 'headDim' | 'vocabSize'>;
  executionProvider: 'webgpu' | 'wasm';
}

/**
 * The LLaMA decoder exported to ONNX with explicit KV-cache inputs/outputs (models/llama_export.py),
 * run by ONNX Runtime Web. On WebGPU the cache stays in GPU buffers between steps; it comes back
 * to the CPU only when it has to be cut (a follow-up that rewrites the end of the conversation).
 */
export class OnnxDecoderBackend implements DecoderBackend {
  readonly description: string;
  private past: { key: Tensor; value: Tensor }[] = [];
  private length = 0;
  private image: { rows: Float32Array; count: number } | null = null;
  private onesBuffer = new BigInt64Array(0);

  private constructor(
    private readonly ort: OrtModule,
    private readonly embed: Ort.InferenceSession,
    private readonly decoder: Ort.InferenceSession,
    private readonly spec: OnnxBackendOptions['spec'],
    private readonly onGpu: boolean,
  ) {
    this.description = `onnx · ${onGpu ? 'webgpu' : 'wasm'}`;
    this.past = this.emptyCache();
  }

  static async create(o: OnnxBackendOptions): Promise<OnnxDecoderBackend> {
    const onGpu = o.executionProvider === 'webgpu';
    const embed = await o.ort.InferenceSession.create(o.embedModel, { executionProviders: [o.executionProvider] });
    const presentNames = Array.from({ length: o.spec.numLayers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat();
    const decoder = await o.ort.InferenceSession.create(o.decoderModel, {
      executionProviders: [o.executionProvider],
      // Keep the KV cache on the GPU between steps instead of copying it back every token.
      ...(onGpu ? { preferredOutputLocation: Object.fromEntries(presentNames.map((n) => [n, 'gpu-buffer' as const])) } : {}),
    });
    return new OnnxDecoderBackend(o.ort, embed, decoder, o.spec, onGpu);
  }

  get cacheLength(): number {
    return this.length;
  }

  async setImage(rows: Float32Array, count: number, dim: number): Promise<void> {
    if (dim !== this.spec.hiddenSize) throw new Error(`image rows are ${dim} wide; the decoder's hidden size is ${this.spec.hiddenSize}`);
    this.image = { rows, count };
  }

  async forward(segments: PromptSegment[]): Promise<Float32Array> {
    const embeds = await this.embedSegments(segments);
    const n = embeds.length / this.spec.hiddenSize;
    const total = this.length + n;
    const { Tensor } = this.ort;
    const feeds: Record<string, Tensor> = {
      inputs_embeds: new Tensor('float32', embeds, [1, n, this.spec.hiddenSize]),
      attention_mask: new Tensor('int64', this.ones(total), [1, total]),
      position_ids: new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(this.length + i)), [1, n]),
    };
    this.past.forEach((kv, i) => {
      feeds[`past_key_values.${i}.key`] = kv.key;
      feeds[`past_key_values.${i}.value`] = kv.value;
    });
    const out = await this.decoder.run(feeds);
    const logits = out.logits;
    if (!logits) throw new Error('decoder.onnx returned no logits');
    const old = this.past;
    this.past = old.map((_, i) => ({ key: out[`present.${i}.key`]!, value: out[`present.${i}.value`]! }));
    for (const kv of old) {
      kv.key.dispose();
      kv.value.dispose();
    }
    this.length = total;
    const data = (await logits.getData()) as Float32Array;
    logits.dispose();
    // Either [1, n, vocab] or last-position-only [1, 1, vocab]: the last row is what generation
    // needs. ORT hands CPU outputs over in arrays of their own, so a single row (every decode
    // step) is returned as it is; a prefill's last row is copied out so its n rows can be freed.
    return data.length === this.spec.vocabSize ? data : data.slice(data.length - this.spec.vocabSize);
  }

  async trimCache(length: number): Promise<void> {
    if (length >= this.length) return;
    if (length === 0) {
      this.disposeCache();
      this.past = this.emptyCache();
      this.length = 0;
      return;
    }
    const { numKeyValueHeads: heads, headDim } = this.spec;
    const cut = async (t: Tensor): Promise<Tensor> => {
      const data = (await t.getData()) as Float32Array;
      const out = new Float32Array(heads * length * headDim);
      for (let h = 0; h < heads; h++) {
        out.set(data.subarray(h * this.length * headDim, (h * this.length + length) * headDim), h * length * headDim);
      }
      return new this.ort.Tensor('float32', out, [1, heads, length, headDim]);
    };
    const next = [];
    for (const kv of this.past) next.push({ key: await cut(kv.key), value: await cut(kv.value) });
    this.disposeCache();
    this.past = next;
    this.length = length;
  }

  async dispose(): Promise<void> {
    this.disposeCache();
    await this.embed.release();
    await this.decoder.release();
  }

  /** A view of `length` ones (the attention mask), from one buffer grown as the cache grows. */
  private ones(length: number): BigInt64Array {
    if (this.onesBuffer.length < length) this.onesBuffer = new BigInt64Array(Math.max(length, 2 * this.onesBuffer.length)).fill(1n);
    return this.onesBuffer.subarray(0, length);
  }

  private emptyCache() {
    const shape = [1, this.spec.numKeyValueHeads, 0, this.spec.headDim];
    return Array.from({ length: this.spec.numLayers }, () => ({
      key: new this.ort.Tensor('float32', new Float32Array(0), shape),
      value: new this.ort.Tensor('float32', new Float32Array(0), shape),
    }));
  }

  private disposeCache() {
    for (const kv of this.past) {
      kv.key.dispose();
      kv.value.dispose();
    }
  }

  /** Text ids through embed.onnx (one run for all of them) and the image rows, in order. */
  private async embedSegments(segments: PromptSegment[]): Promise<Float32Array> {
    const hidden = this.spec.hiddenSize;
    const ids = segments.flatMap((s) => (s.kind === 'text' ? s.ids : []));
    let textEmbeds: Float32Array = new Float32Array(0);
    if (ids.length) {
      const input = new this.ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
      const out = await this.embed.run({ input_ids: input });
      textEmbeds = (await out.inputs_embeds!.getData()) as Float32Array;
    }
    const total = segments.reduce((n, s) => n + (s.kind === 'text' ? s.ids.length : this.requireImage().count), 0);
    const embeds = new Float32Array(total * hidden);
    let at = 0;
    let textAt = 0;
    for (const s of segments) {
      if (s.kind === 'text') {
        embeds.set(textEmbeds.subarray(textAt * hidden, (textAt + s.ids.length) * hidden), at * hidden);
        textAt += s.ids.length;
        at += s.ids.length;
      } else {
        const image = this.requireImage();
        embeds.set(image.rows.subarray(0, image.count * hidden), at * hidden);
        at += image.count;
      }
    }
    return embeds;
  }

  private requireImage() {
    if (!this.image) throw new Error('the prompt has an image but no image rows were set');
    return this.image;
  }
}
