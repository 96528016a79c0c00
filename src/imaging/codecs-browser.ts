import type { CodecLoader, CodecModule } from './wasm-codecs';

/**
 * Browser (decode worker): each codec's Emscripten glue and its .wasm are separate chunks that
 * Vite emits and the worker fetches on first use (same origin, so COEP allows it). This is the
 * job cornerstone-wado-image-loader 4.x does with webpack's publicPath and an inline blob worker,
 * neither of which survives a Vite ES-module build; see README "Imaging".
 */
const CODECS = {
  charls: () => Promise.all([import('@cornerstonejs/codec-charls/decodewasmjs'), import('@cornerstonejs/codec-charls/decodewasm?url')]),
  openjpeg: () => Promise.all([import('@cornerstonejs/codec-openjpeg/decodewasmjs'), import('@cornerstonejs/codec-openjpeg/decodewasm?url')]),
  'libjpeg-turbo': () =>
    Promise.all([import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'), import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url')]),
  openjph: () => Promise.all([import('@cornerstonejs/codec-openjph/wasmjs'), import('@cornerstonejs/codec-openjph/wasm?url')]),
} as const;

export const loadCodecBrowser: CodecLoader = async (name) => {
  const [glue, wasm] = await CODECS[name]();
  const factory = ((glue as { default?: CornerstoneCodecFactory }).default ?? glue) as CornerstoneCodecFactory;
  const quiet = () => {};
  return (await factory({ locateFile: (f) => (f.endsWith('.wasm') ? wasm.default : f), print: quiet, printErr: quiet })) as CodecModule;
};
