import type * as Ort from 'onnxruntime-web';

export type OrtModule = typeof Ort;
export type SelfTestProvider = 'webgpu' | 'wasm';

export interface ProviderRun {
  provider: SelfTestProvider;
  output: Float32Array;
  sessionMs: number;
  runMs: number;
}

export interface SelfTestResult {
  ok: boolean;
  maxAbsDiff: number;
  tolerance: number;
  webgpu: Omit<ProviderRun, 'output'>;
  wasm: Omit<ProviderRun, 'output'>;
}

/** Shape of public/selftest.onnx's input and output (see models/make_selftest_onnx.py). */
export const SELFTEST_DIMS = [1, 64, 128] as const;
export const SELFTEST_TOLERANCE = 1e-5;

/** Deterministic input so every run and every provider sees the same numbers. */
export function selfTestInput(): Float32Array {
  const n = SELFTEST_DIMS.reduce<number>((a, b) => a * b, 1);
  const x = new Float32Array(n);
  let s = 0x2545f491;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = ((s >>> 0) / 0xffffffff) * 4 - 2;
  }
  return x;
}

/**
 * Runs the graph on exactly one execution provider. ORT is given no fallback list, so a missing
 * WebGPU adapter is an error here, never a silent run on the CPU.
 */
export async function runOnProvider(
  ort: OrtModule,
  model: Uint8Array,
  provider: SelfTestProvider,
): Promise<ProviderRun> {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider] });
  const t1 = performance.now();
  try {
    const input = new ort.Tensor('float32', selfTestInput(), [...SELFTEST_DIMS]);
    const result = await session.run({ [session.inputNames[0]!]: input });
    const out = result[session.outputNames[0]!];
    if (!out) throw new Error('self-test graph returned no output');
    const output = (await out.getData()) as Float32Array;
    return { provider, output: new Float32Array(output), sessionMs: t1 - t0, runMs: performance.now() - t1 };
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** WebGPU against wasm on the same graph and input. Throws when WebGPU cannot run at all. */
export async function compareProviders(ort: OrtModule, model: Uint8Array): Promise<SelfTestResult> {
  const gpu = await runOnProvider(ort, model, 'webgpu');
  const cpu = await runOnProvider(ort, model, 'wasm');
  const diff = maxAbsDiff(gpu.output, cpu.output);
  const strip = ({ output: _o, ...rest }: ProviderRun) => rest;
  return {
    ok: Number.isFinite(diff) && diff < SELFTEST_TOLERANCE,
    maxAbsDiff: diff,
    tolerance: SELFTEST_TOLERANCE,
    webgpu: strip(gpu),
    wasm: strip(cpu),
  };
}
