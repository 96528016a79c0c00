/**
 * Reads an MLC / tvmjs tensor cache: `tensor-cache.json` (older name `ndarray-cache.json`) plus
 * its `params_shard_*.bin` files, as WebLLM 0.2.86 loads them. The format (tvm.contrib.tvmjs):
 *
 *   { metadata: {...}, records: [ { dataPath, format: 'raw-shard', nbytes, md5sum?, records: [
 *       { name, shape, dtype, format, nbytes, byteOffset } ] } ] }
 *
 * A record's `format` is the cache's encode format. With 'f32-to-bf16', float32 tensors are
 * stored as bfloat16 (2 bytes each) and widened on load; every other dtype is raw bytes.
 */

export type TensorDtype = 'float32' | 'float16' | 'bfloat16' | 'uint32' | 'int32' | 'uint8';

export interface TensorRecord {
  name: string;
  shape: number[];
  dtype: TensorDtype;
  format: 'raw' | 'f32-to-bf16';
  nbytes: number;
  byteOffset: number;
}

export interface ShardRecord {
  dataPath: string;
  format: 'raw-shard';
  nbytes: number;
  md5sum?: string;
  records: TensorRecord[];
}

export interface TensorCacheJson {
  metadata?: Record<string, unknown>;
  records: ShardRecord[];
}

/** A loaded tensor. `data` holds the decoded little-endian bytes of `dtype` (bf16-packed
 * float32 records are already widened back to float32). */
export interface Tensor {
  name: string;
  shape: number[];
  dtype: TensorDtype;
  data: Uint8Array;
}

/** Returns a file of the model folder by its path relative to the folder. */
export type ReadBytes = (relativePath: string) => Promise<Uint8Array>;

const ELEMENT_BYTES: Record<TensorDtype, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  uint32: 4,
  int32: 4,
  uint8: 1,
};

export class TensorCacheError extends Error {
  override name = 'TensorCacheError';
}

export function parseTensorCache(text: string): TensorCacheJson {
  const json = JSON.parse(text) as Partial<TensorCacheJson>;
  if (!Array.isArray(json.records)) throw new TensorCacheError('tensor-cache.json has no records');
  for (const shard of json.records) {
    if (shard.format !== 'raw-shard') {
      throw new TensorCacheError(`shard ${shard.dataPath}: unsupported format ${String(shard.format)}`);
    }
    for (const rec of shard.records) {
      if (!(rec.dtype in ELEMENT_BYTES)) {
        throw new TensorCacheError(`${rec.name}: unsupported dtype ${rec.dtype}`);
      }
      const stored = storedBytes(rec);
      if (rec.nbytes !== stored) {
        throw new TensorCacheError(`${rec.name}: nbytes ${rec.nbytes}, shape needs ${stored}`);
      }
      if (rec.byteOffset < 0 || rec.byteOffset + rec.nbytes > shard.nbytes) {
        throw new TensorCacheError(`${rec.name}: outside its shard ${shard.dataPath}`);
      }
    }
  }
  return json as TensorCacheJson;
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function isPackedBf16(rec: TensorRecord): boolean {
  return rec.format === 'f32-to-bf16' && rec.dtype === 'float32';
}

function storedBytes(rec: TensorRecord): number {
  const n = elementCount(rec.shape);
  return isPackedBf16(rec) ? n * 2 : n * ELEMENT_BYTES[rec.dtype];
}

/** bfloat16 words -> float32 (the upper half of the float32 bit pattern). */
export function bf16ToFloat32(words: Uint16Array): Float32Array {
  const out = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) out[i] = words[i]! << 16;
  return new Float32Array(out.buffer);
}

function decodeRecord(rec: TensorRecord, bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice(); // own, aligned buffer (shard views may sit at odd offsets)
  if (!isPackedBf16(rec)) return copy;
  const widened = bf16ToFloat32(new Uint16Array(copy.buffer, 0, copy.length / 2));
  return new Uint8Array(widened.buffer);
}

/**
 * Loads every tensor of the cache (or only `names`). Shards with no wanted tensor are not read.
 * `read` resolves paths relative to the folder that holds tensor-cache.json.
 */
export async function loadTensorCache(
  read: ReadBytes,
  options: { names?: Iterable<string>; cacheFile?: string } = {},
): Promise<{ cache: TensorCacheJson; tensors: Map<string, Tensor> }> {
  const cacheFile = options.cacheFile ?? 'tensor-cache.json';
  const cache = parseTensorCache(new TextDecoder().decode(await read(cacheFile)));
  const wanted = options.names ? new Set(options.names) : null;
  const tensors = new Map<string, Tensor>();
  for (const shard of cache.records) {
    const recs = shard.records.filter((r) => !wanted || wanted.has(r.name));
    if (recs.length === 0) continue;
    const data = await read(shard.dataPath);
    if (data.length !== shard.nbytes) {
      throw new TensorCacheError(`${shard.dataPath}: ${data.length} bytes, expected ${shard.nbytes}`);
    }
    for (const rec of recs) {
      const bytes = data.subarray(rec.byteOffset, rec.byteOffset + rec.nbytes);
      tensors.set(rec.name, { name: rec.name, shape: rec.shape, dtype: rec.dtype, data: decodeRecord(rec, bytes) });
    }
  }
  if (wanted) {
    const missing = [...wanted].filter((n) => !tensors.has(n));
    if (missing.length) throw new TensorCacheError(`not in the tensor cache: ${missing.join(', ')}`);
  }
  return { cache, tensors };
}

/** A ReadBytes over HTTP(S): `baseUrl` is the folder URL (ending in `/`). */
export function fetchReader(baseUrl: string, fetchFn: typeof fetch = fetch): ReadBytes {
  return async (path) => {
    const url = new URL(path, baseUrl).href;
    const res = await fetchFn(url);
    if (!res.ok) throw new TensorCacheError(`${url}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}
