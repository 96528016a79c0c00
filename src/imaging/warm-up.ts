import { WARM_UP_JPEG_BASE64, WARM_UP_LARGE_JPEG_BASE64 } from './warm-up-jpeg';

/**
 * What the decoder runs at start (models/make_warm_up_jpeg.py), so that the user's first image
 * decodes as fast as later ones: the first decode instantiates the decode worker and its
 * libjpeg-turbo wasm (about a second on a small machine); a 2048x2048 mid-grey JPEG grows the
 * codec's memory to a radiograph's size (Node: the first 1024x1024 decode 76-93 ms against 25-34
 * later, 28-29 ms after it); then a textured 256x256 one, decoded a few times, makes the decoder's
 * functions hot so that V8 compiles them with its optimising tier before an image is dropped. That
 * second part shows in Chromium only: with the large JPEG alone the first image's decode there was
 * 23-129 ms over 6 cold starts (two above 95 ms), with both 29-54 ms (docs/benchmarks.md); in Node
 * the large one alone was enough.
 */
export const WARM_UP_DECODES = 4;

/** The file name the warm-up decodes go by (tests tell them from the user's images by it). */
export const WARM_UP_FILE_NAME = 'warm-up.jpg';

const bytesOf = (base64: string) => {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
};

/** The JPEGs warmUpDecoder decodes, in order. */
export function warmUpJpegs(): Uint8Array[] {
  const textured = bytesOf(WARM_UP_JPEG_BASE64);
  return [bytesOf(WARM_UP_LARGE_JPEG_BASE64), ...Array.from({ length: WARM_UP_DECODES - 1 }, () => textured.slice())];
}

/** Decodes the warm-up JPEGs with `decode` (the browser's decode worker, or Node's decoder); never throws. */
export async function warmUpDecoder(decode: (bytes: Uint8Array, name: string) => Promise<unknown>): Promise<void> {
  // Each its own buffer: the browser's decoder takes ownership of the one it is sent.
  for (const bytes of warmUpJpegs()) {
    const ok = await decode(bytes, WARM_UP_FILE_NAME).then(
      () => true,
      () => false,
    );
    if (!ok) return;
  }
}
