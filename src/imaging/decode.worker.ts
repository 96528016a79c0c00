// Decode worker entry: routes messages to decode-core; no logic here.
import { loadCodecBrowser } from './codecs-browser';
import { decodeImageBytes } from './decode-core';
import { defaultVoiImage } from './default-voi';
import { toErrorData } from './errors';
import type { DecodeReply, DecodeRequest } from './protocol';
import { createWasmDecoders } from './wasm-codecs';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const wasm = createWasmDecoders(loadCodecBrowser);

scope.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const { id, name, bytes } = event.data;
  const t0 = performance.now();
  let reply: DecodeReply;
  let transfer: Transferable[] = [];
  try {
    const image = await decodeImageBytes(new Uint8Array(bytes), name, wasm);
    const grey = defaultVoiImage(image);
    reply = { kind: 'decoded', id, image, grey, ms: performance.now() - t0 };
    transfer = [...new Set([image.pixels.buffer, grey.data.buffer])] as ArrayBuffer[];
  } catch (err) {
    reply = { kind: 'error', id, error: toErrorData(err) };
  }
  scope.postMessage(reply, transfer);
};
