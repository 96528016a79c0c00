import type { GrayImage } from '../preprocess/types';
import type { ImagingErrorData } from './errors';
import type { DecodedImage } from './types';

/** Main thread -> decode worker. The file's bytes are transferred, not copied. */
export interface DecodeRequest {
  kind: 'decode';
  id: number;
  name: string;
  bytes: ArrayBuffer;
}

/** Decode worker -> main thread: the image and its default-VOI 8-bit grey (the model input). */
export type DecodeReply =
  | { kind: 'decoded'; id: number; image: DecodedImage; grey: GrayImage; ms: number }
  | { kind: 'error'; id: number; error: ImagingErrorData };
