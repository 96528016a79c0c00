/**
 * The Node entry of the imaging module (CLI, tests): the same decode-core as the browser's
 * worker, with codecs loaded from node_modules. No DOM.
 */
import type { GrayImage } from '../preprocess/types';
import { loadCodecNode } from './codecs-node';
import { decodeImageBytes } from './decode-core';
import { defaultVoiImage } from './default-voi';
import type { DecodedImage } from './types';
import { createWasmDecoders } from './wasm-codecs';

const wasm = createWasmDecoders(loadCodecNode);

export function decodeImageFile(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  return decodeImageBytes(bytes, name, wasm);
}

/** File bytes -> the 8-bit grey image the model sees (a GrayDecoder for src/preprocess). */
export async function decodeToGray(bytes: Uint8Array, name: string): Promise<GrayImage> {
  return defaultVoiImage(await decodeImageFile(bytes, name));
}
