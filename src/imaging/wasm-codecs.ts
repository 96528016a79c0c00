/**
 * The WebAssembly codecs that cornerstone-wado-image-loader 4.x ships with (@cornerstonejs/codec-*),
 * called the way its decoders call them. How a codec's module is loaded differs by platform
 * (Node reads the .wasm from node_modules, the browser fetches a bundled URL), so the loader is
 * injected: decode-core stays free of both DOM and Node APIs.
 */

export type WasmCodecName = 'charls' | 'openjpeg' | 'libjpeg-turbo' | 'openjph';

/** What each codec's Emscripten module exposes (embind classes share this shape). */
interface EmbindDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}
export type CodecModule = Record<string, unknown>;
export type CodecLoader = (name: WasmCodecName) => Promise<CodecModule>;

const DECODER_CLASS: Record<WasmCodecName, string> = {
  charls: 'JpegLSDecoder',
  openjpeg: 'J2KDecoder',
  'libjpeg-turbo': 'JPEGDecoder',
  openjph: 'HTJ2KDecoder',
};

export interface CodecOutput {
  width: number;
  height: number;
  bitsPerSample: number;
  components: number;
  signed: boolean;
  /** Decoded samples, interleaved by pixel; 16-bit samples as little-endian bytes. */
  bytes: Uint8Array;
}

/** Modules are loaded once per codec and kept; decoders are made per call and freed. */
export function createWasmDecoders(load: CodecLoader) {
  const modules = new Map<WasmCodecName, Promise<CodecModule>>();
  return async function decodeWith(name: WasmCodecName, encoded: Uint8Array): Promise<CodecOutput> {
    let mod = modules.get(name);
    if (!mod) {
      mod = load(name);
      modules.set(name, mod);
      mod.catch(() => modules.delete(name));
    }
    const Ctor = (await mod)[DECODER_CLASS[name]] as new () => EmbindDecoder;
    const decoder = new Ctor();
    try {
      decoder.getEncodedBuffer(encoded.length).set(encoded);
      decoder.decode();
      const info = decoder.getFrameInfo();
      // The decoded buffer is a view into the wasm heap: copy it out before the decoder is freed.
      const bytes = decoder.getDecodedBuffer().slice();
      return {
        width: info.width,
        height: info.height,
        bitsPerSample: info.bitsPerSample,
        components: info.componentCount,
        signed: !!info.isSigned,
        bytes,
      };
    } catch (err) {
      // Embind throws numbers (pointers to C++ exceptions) for codec errors.
      throw typeof err === 'number' ? new Error(`${name} could not decode the data`) : err;
    } finally {
      decoder.delete();
    }
  };
}

export type WasmDecode = ReturnType<typeof createWasmDecoders>;
