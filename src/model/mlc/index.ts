export { loadTensorCache, parseTensorCache, fetchReader, bf16ToFloat32, TensorCacheError } from './tensor-cache';
export type { ReadBytes, Tensor, TensorCacheJson, TensorDtype, TensorRecord, ShardRecord } from './tensor-cache';
export { dequantizeQ4, dequantizeParam, float16ToFloat32, toFloat32, GROUP_SIZE } from './dequantize';
