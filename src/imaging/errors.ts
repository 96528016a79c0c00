/** Why an input could not be opened. Each code has its own message for the user. */
export type ImagingErrorCode =
  | 'not-an-image'
  | 'truncated'
  | 'no-pixel-data'
  | 'palette-colour'
  | 'unsupported-colour'
  | 'bad-size'
  | 'too-large'
  | 'unsupported-transfer-syntax'
  | 'decode-failed';

/** Largest image the app opens: 100 megapixels (a 10000x10000 detector is ~100 MP). */
export const MAX_PIXELS = 100_000_000;

export class ImagingError extends Error {
  override name = 'ImagingError';
  constructor(
    readonly code: ImagingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The plain form an error takes across the worker boundary. */
export interface ImagingErrorData {
  name: string;
  message: string;
  code: ImagingErrorCode;
}

export function toErrorData(err: unknown): ImagingErrorData {
  if (err instanceof ImagingError) return { name: err.name, message: err.message, code: err.code };
  const message = err instanceof Error ? err.message : String(err);
  return { name: 'ImagingError', message: `The image could not be decoded: ${message}`, code: 'decode-failed' };
}

export function fromErrorData(data: ImagingErrorData): ImagingError {
  return new ImagingError(data.code, data.message);
}

export function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImagingError('bad-size', `${what} declares an image of ${width}x${height} pixels, which cannot be shown.`);
  }
  if (width * height > MAX_PIXELS) {
    throw new ImagingError(
      'too-large',
      `${what} declares ${width}x${height} pixels (${((width * height) / 1e6).toFixed(0)} megapixels); ` +
        `the limit is ${MAX_PIXELS / 1e6} megapixels.`,
    );
  }
}
