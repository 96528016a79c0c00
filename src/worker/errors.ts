/**
 * Errors that cross the worker boundary as {name, message, code} and are rebuilt into these
 * classes on the other side, so `instanceof` and the UI's handling work on the main thread.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export class WebGpuUnavailableError extends AppError {
  override name = 'WebGpuUnavailableError';
}
export class ModelLoadError extends AppError {
  override name = 'ModelLoadError';
}
export class ModelNotLoadedError extends AppError {
  override name = 'ModelNotLoadedError';
}
export class NoImageError extends AppError {
  override name = 'NoImageError';
}
export class DeviceLostError extends AppError {
  override name = 'DeviceLostError';
}
export class GenerationError extends AppError {
  override name = 'GenerationError';
}
export class WebLlmInternalsError extends AppError {
  override name = 'WebLlmInternalsError';
}

const classes = {
  WebGpuUnavailableError,
  ModelLoadError,
  ModelNotLoadedError,
  NoImageError,
  DeviceLostError,
  GenerationError,
  WebLlmInternalsError,
} as const;

export interface SerializedError {
  name: string;
  message: string;
  code: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AppError) return { name: err.name, message: err.message, code: err.code };
  if (err instanceof Error) return { name: err.name || 'Error', message: err.message, code: 'internal' };
  return { name: 'Error', message: String(err), code: 'internal' };
}

export function deserializeError(e: SerializedError): Error {
  const Cls = classes[e.name as keyof typeof classes];
  if (Cls) return new Cls(e.message, e.code);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
