import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { CodecLoader, CodecModule } from './wasm-codecs';

const require = createRequire(import.meta.url);

const PACKAGES = {
  charls: ['@cornerstonejs/codec-charls/decodewasmjs', '@cornerstonejs/codec-charls/decodewasm'],
  openjpeg: ['@cornerstonejs/codec-openjpeg/decodewasmjs', '@cornerstonejs/codec-openjpeg/decodewasm'],
  'libjpeg-turbo': ['@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm'],
  openjph: ['@cornerstonejs/codec-openjph/wasmjs', '@cornerstonejs/codec-openjph/wasm'],
} as const;

/** Node: the codec's Emscripten factory from node_modules, its .wasm read from disk. */
export const loadCodecNode: CodecLoader = async (name) => {
  const [js, wasm] = PACKAGES[name];
  const factory = require(js) as CornerstoneCodecFactory;
  const wasmBinary = await readFile(require.resolve(wasm));
  const quiet = () => {};
  return (await factory({ wasmBinary, print: quiet, printErr: quiet })) as CodecModule;
};
