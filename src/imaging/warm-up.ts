/**
 * An 8x8 mid-grey baseline JPEG (Pillow, quality 50). Decoding it once at start instantiates the
 * decode worker and its libjpeg-turbo wasm, which otherwise cost the user's first image about a
 * second on a small machine (npm run bench: decode of the first image vs later ones).
 */
const TINY_JPEG_BASE64 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAAIAAgBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/ACv/2Q==';

export function tinyJpeg(): Uint8Array {
  const text = atob(TINY_JPEG_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Decodes the tiny JPEG with `decode` (the browser's decode worker, or Node's decoder); never throws. */
export async function warmUpDecoder(decode: (bytes: Uint8Array, name: string) => Promise<unknown>): Promise<void> {
  await decode(tinyJpeg(), 'warm-up.jpg').catch(() => {});
}
