import { chooseProviders, type ProviderChoices } from './choose-provider';
import type { CapabilityReport, StagePlan } from './types';

/**
 * Which runtime each pipeline stage will use on this machine. This is the single place where
 * the app decides between WebGPU and wasm, so the UI, the worker and the CLI agree. `choices`
 * are the ONNX stages' providers once measured (see choose-provider.ts); without them the rules
 * alone decide (a software adapter never gets an ONNX stage).
 */
export function planStages(caps: CapabilityReport, choices: ProviderChoices = chooseProviders(caps, undefined, null)): StagePlan[] {
  const gpu = caps.webgpu;
  const threads = caps.wasmThreads ? `wasm with ${caps.logicalCores} threads` : 'single-threaded wasm';
  const plan: StagePlan[] = [
    { stage: 'decode', runtime: 'cpu', note: 'Images are decoded on the CPU.' },
    { stage: 'preprocess', runtime: 'cpu', note: 'Resize, crop and normalise run on the CPU.' },
  ];
  if (!gpu.available) {
    plan.push(
      {
        stage: 'vision',
        runtime: 'ort-wasm',
        note: `No WebGPU: the vision encoder runs on the CPU (${threads}); slower, but it works.`,
      },
      {
        stage: 'decoder',
        runtime: 'unavailable',
        note:
          'No WebGPU: the 7B language model cannot run, so reports cannot be generated. ' +
          'Viewing images still works; the small demo model can run on wasm.',
      },
    );
    return plan;
  }
  const where = gpu.isFallbackAdapter || choices.vision.basis === 'software-adapter' ? 'a software (CPU) WebGPU adapter' : 'the GPU';
  const vision = choices.vision;
  plan.push(
    vision.provider === 'wasm'
      ? { stage: 'vision', runtime: 'ort-wasm', note: `Vision encoder on ${threads}. ${vision.reason}` }
      : {
          stage: 'vision',
          runtime: gpu.shaderF16 ? 'ort-webgpu-fp16' : 'ort-webgpu-fp32',
          note: (gpu.shaderF16 ? `Vision encoder in fp16 on ${where}.` : `Vision encoder in fp32 on ${where} (no shader-f16).`) + ` ${vision.reason}`,
        },
  );
  plan.push(
    gpu.shaderF16
      ? { stage: 'decoder', runtime: 'webllm-q4f16_1', note: `4-bit LLaMA-2 (q4f16_1) on ${where}.` }
      : {
          stage: 'decoder',
          runtime: 'webllm-q4f32_1',
          note:
            `No shader-f16 on ${where}: the 4-bit model needs its q4f32_1 variant ` +
            '(more memory, slower); q4f16_1 cannot run here.',
        },
  );
  const last = plan[plan.length - 1]!;
  if (where !== 'the GPU') {
    last.note += ' A software adapter is far too slow for the 7B model; expect only the demo model to be usable.';
  }
  last.note += ` An ONNX decoder (the demo model) runs on ${choices.decoder.provider}: ${choices.decoder.reason}`;
  return plan;
}
