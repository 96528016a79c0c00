// Decode worker entry: routes messages to decode-core; no logic here.
import { loadCodecBrowser } from './codecs-browser';
import { decodeImageBytes } from './decode-core';
import { defaultVoiImage } from './default-voi';
import { toErrorData } from './errors';
import type { DecodeReply, DecodeRequest } from './protocol';
import { WADO_PUBLIC_DIR, WADO_WORKER_FILE } from './wado';
import { createWadoFrameDecoder } from './wado-frame-decoder';
import { createWasmDecoders } from './wasm-codecs';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const wasm = createWasmDecoders(loadCodecBrowser);
// Compressed DICOM frames: cornerstone-wado-image-loader's own decode worker, served same-origin.
const frames = createWadoFrameDecoder({ workerUrl: new URL(`${import.meta.env.BASE_URL}${WADO_PUBLIC_DIR}${WADO_WORKER_FILE}`, scope.location.href) });

scope.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const { id, name, bytes } = event.data;
  const t0 = performance.now();
  let reply: DecodeReply;
  let transfer: Transferable[] = [];
  try {
    const image = await decodeImageBytes(new Uint8Array(bytes), name, wasm, frames);
    const grey = defaultVoiImage(image);
    reply = { kind: 'decoded', id, image, grey, ms: performance.now() - t0 };
    transfer = [...new Set([image.pixels.buffer, grey.data.buffer])] as ArrayBuffer[];
  } catch (err) {
    reply = { kind: 'error', id, error: toErrorData(err) };
  }
  scope.postMessage(reply, transfer);
};
