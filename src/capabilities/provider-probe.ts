import type * as Ort from 'onnxruntime-web';
import type { OnnxProvider, ProbeTiming, ProviderProbeResult } from './choose-provider';
import { PROBE_MODEL_BASE64, PROBE_WIDTH } from './provider-probe-model';

/** Rows of the encode-sized probe (a ViT's tokens are hundreds to a thousand rows). */
const VISION_ROWS = 64;
const RUNS = 3;

function probeModel(): Uint8Array {
  const text = atob(PROBE_MODEL_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeProvider(ort: typeof Ort, model: Uint8Array, provider: OnnxProvider, now: () => number): Promise<{ vision: number; decoder: number }> {
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider] });
  try {
    const run = async (rows: number) => {
      const x = new ort.Tensor('float32', new Float32Array(rows * PROBE_WIDTH).fill(0.5), [rows, PROBE_WIDTH]);
      const t0 = now();
      const out = await session.run({ x });
      // Reading the output waits for the GPU, as a real stage does before using its result.
      await out.y!.getData();
      const ms = now() - t0;
      out.y!.dispose();
      return ms;
    };
    const timed = async (rows: number) => {
      await run(rows); // first run pays shader compilation / allocation; not what a stage costs later
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) ms.push(await run(rows));
      return median(ms);
    };
    return { vision: await timed(VISION_ROWS), decoder: await timed(1) };
  } finally {
    await session.release();
  }
}

/**
 * Times a small MatMul graph on WebGPU and on wasm, at an encode-like and a decode-step-like shape
 * (about 0.5 GFLOP and 8 MFLOP). Takes well under a second on a GPU machine; a provider that fails
 * counts as infinitely slow, so a broken WebGPU is never chosen.
 */
export async function measureProviders(ort: typeof Ort, now: () => number = () => performance.now()): Promise<ProviderProbeResult> {
  const model = probeModel();
  const failed = { vision: Infinity, decoder: Infinity };
  const gpu = await timeProvider(ort, model, 'webgpu', now).catch(() => failed);
  const cpu = await timeProvider(ort, model, 'wasm', now).catch(() => failed);
  const pair = (stage: 'vision' | 'decoder'): ProbeTiming => ({ webgpuMs: gpu[stage], wasmMs: cpu[stage] });
  return { vision: pair('vision'), decoder: pair('decoder') };
}
