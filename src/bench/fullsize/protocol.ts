// What the full-size bench page (page.ts) returns to its driver (main.ts); plain JSON.
export interface FileLoad {
  path: string;
  bytes: number;
  ms: number;
  fromCache: boolean;
  progressEvents: number;
  /** ms from the request to the first progress event (download progress the UI would show). */
  firstProgressMs: number | null;
  error: { code: string; message: string } | null;
}

export interface LoadResult {
  ms: number;
  files: FileLoad[];
}

export interface HashResult {
  path: string;
  bytes: number;
  /** The cached copy read and hashed in one streamed pass (as fetchArtifact reads it). */
  readMs: number;
  /** The sha256 alone over the same bytes in memory (hash-wasm), timed apart. */
  hashMs: number;
  sha256: string;
}

export interface EncodeResult {
  fetchMs: number;
  createMs: number;
  runsMs: number[];
  rows: number;
  finite: boolean;
  numThreads: number;
  crossOriginIsolated: boolean;
}

export interface StorageResult {
  quota: number;
  usage: number;
  appBytes: number;
  webLlmBytes: number;
}

export interface FullsizePageApi {
  load(base: string, paths: string[]): Promise<LoadResult>;
  hash(base: string, path: string): Promise<HashResult>;
  encode(base: string, runs: number): Promise<EncodeResult>;
  storage(base: string, paths: string[], webllmFolder: string | null): Promise<StorageResult>;
  clear(): Promise<void>;
}

declare global {
  interface Window {
    cxrFullsize?: FullsizePageApi;
    /** Set by the driver: one line per finished file. */
    cxrFullsizeLog?: (line: string) => void;
  }
}
