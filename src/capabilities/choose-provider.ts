import type { CapabilityReport, WebGpuInfo } from './types';

export type OnnxProvider = 'webgpu' | 'wasm';
/** The stages that run on ONNX Runtime Web and can take either provider. */
export type OnnxStage = 'vision' | 'decoder';

/** Median time of one probe run on each provider (see provider-probe.ts). */
export interface ProbeTiming {
  webgpuMs: number;
  wasmMs: number;
}

export interface ProviderProbeResult {
  /** Many rows at once: compute-bound, like one vision encode. */
  vision: ProbeTiming;
  /** One row: latency-bound, like one decode step. */
  decoder: ProbeTiming;
}

export interface ProviderChoice {
  provider: OnnxProvider;
  /** Why, in one sentence a user can read. */
  reason: string;
  basis: 'forced' | 'no-webgpu' | 'software-adapter' | 'measured' | 'unmeasured';
  timing?: ProbeTiming;
}

export type ProviderChoices = Record<OnnxStage, ProviderChoice>;

/**
 * A WebGPU adapter that runs on the CPU (Chromium's SwiftShader, Mesa's llvmpipe/lavapipe,
 * Windows' basic render driver). Browsers flag some with isFallbackAdapter; Dawn in Node and
 * `--enable-unsafe-webgpu` Chromium hand SwiftShader out as an ordinary adapter, so the names
 * are checked too.
 */
export function isSoftwareAdapter(gpu: WebGpuInfo): boolean {
  if (gpu.isFallbackAdapter) return true;
  const text = `${gpu.vendor} ${gpu.architecture} ${gpu.device} ${gpu.description}`;
  return /swiftshader|llvmpipe|lavapipe|softpipe|basic render driver|software/i.test(text);
}

const STAGE_WORDS: Record<OnnxStage, string> = { vision: 'encode-sized', decoder: 'decode-step-sized' };

/**
 * The provider of each ONNX stage. In order: what the user forced; wasm without WebGPU; wasm on
 * a software adapter (it emulates the GPU on the CPU and is many times slower than wasm on the
 * same cores); otherwise whichever provider the measured probe found faster for that stage's
 * shape, WebGPU on a tie (it leaves the CPU to the page). Without a probe result a hardware
 * adapter gets WebGPU.
 */
export function chooseProviders(caps: CapabilityReport, forced: OnnxProvider | undefined, probe: ProviderProbeResult | null): ProviderChoices {
  const both = (c: ProviderChoice): ProviderChoices => ({ vision: c, decoder: { ...c } });
  const gpu = caps.webgpu;
  if (forced) {
    if (forced === 'webgpu' && !gpu.available) throw new Error(`WebGPU was requested but is not available: ${gpu.reason}`);
    return both({ provider: forced, basis: 'forced', reason: `Forced to ${forced} in Settings (or --ep).` });
  }
  if (!gpu.available) return both({ provider: 'wasm', basis: 'no-webgpu', reason: 'No WebGPU adapter: ONNX stages run on wasm.' });
  if (isSoftwareAdapter(gpu)) {
    return both({
      provider: 'wasm',
      basis: 'software-adapter',
      reason: `The only WebGPU adapter is a software one (${gpu.vendor || '?'} ${gpu.architecture || ''}`.trimEnd() + '), which runs on the CPU far slower than wasm; wasm chosen.',
    });
  }
  if (!probe) return both({ provider: 'webgpu', basis: 'unmeasured', reason: 'Hardware WebGPU adapter (not measured yet).' });
  const pick = (stage: OnnxStage): ProviderChoice => {
    const t = probe[stage];
    const provider: OnnxProvider = t.webgpuMs <= t.wasmMs ? 'webgpu' : 'wasm';
    return {
      provider,
      basis: 'measured',
      timing: t,
      reason: `Measured on this device (${STAGE_WORDS[stage]} probe): WebGPU ${msText(t.webgpuMs)}, wasm ${msText(t.wasmMs)}; ${provider} is faster.`,
    };
  };
  return { vision: pick('vision'), decoder: pick('decoder') };
}

/** Whether chooseProviders would use a probe result: only for a hardware adapter and no forced provider. */
export function needsProbe(caps: CapabilityReport, forced: OnnxProvider | undefined): boolean {
  return !forced && caps.webgpu.available && !isSoftwareAdapter(caps.webgpu);
}

/** Cache key of a probe result: the adapter, the CPU the wasm side has, and the runtime version. */
export function probeCacheKey(caps: CapabilityReport, runtimeVersion: string): string {
  const g = caps.webgpu;
  const adapter = g.available ? [g.vendor, g.architecture, g.device, g.description].join('/') : 'none';
  return `provider-probe-v1|${runtimeVersion}|${adapter}|${caps.logicalCores} cores|threads ${caps.wasmThreads}`;
}

const msText = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'failed');
