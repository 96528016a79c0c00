import type * as Ort from 'onnxruntime-web';
import type { VisionSpec } from '../model/manifest';

type OrtModule = typeof Ort;

export interface ImageRows {
  rows: Float32Array;
  count: number;
  dim: number;
}

/**
 * The vision tower + projector (vision.onnx): [1, 1, 512, 512] float32 in, [1, 1024, hidden] out.
 * One session per model; one encode per image, whose rows every later question reuses.
 */
export class VisionEncoder {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    private readonly spec: VisionSpec,
    readonly executionProvider: 'webgpu' | 'wasm',
  ) {}

  static async create(ort: OrtModule, model: Uint8Array, spec: VisionSpec, executionProvider: 'webgpu' | 'wasm'): Promise<VisionEncoder> {
    const session = await ort.InferenceSession.create(model, { executionProviders: [executionProvider] });
    return new VisionEncoder(ort, session, spec, executionProvider);
  }

  async encode(pixels: Float32Array): Promise<ImageRows> {
    const { imageSize, channels, imageTokens, outputDim } = this.spec;
    if (pixels.length !== channels * imageSize * imageSize) {
      throw new Error(`the vision encoder needs ${channels}x${imageSize}x${imageSize} values, got ${pixels.length}`);
    }
    const input = new this.ort.Tensor('float32', pixels, [1, channels, imageSize, imageSize]);
    const out = await this.session.run({ [this.spec.inputName]: input });
    const tensor = out[this.spec.outputName];
    if (!tensor) throw new Error(`vision.onnx has no output "${this.spec.outputName}"`);
    const data = await tensor.getData();
    // The fp16 graph may hand back float16; the decoder backends take float32 rows.
    const rows = data instanceof Float32Array ? data.slice() : Float32Array.from(data as ArrayLike<number>);
    tensor.dispose();
    if (rows.length !== imageTokens * outputDim) {
      throw new Error(`vision.onnx returned ${rows.length} values; the manifest says ${imageTokens} x ${outputDim}`);
    }
    return { rows, count: imageTokens, dim: outputDim };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
