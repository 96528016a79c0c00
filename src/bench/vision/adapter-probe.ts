// What Dawn (npm `webgpu`) offers under several instance flags and feature levels: adapter
// identity, driver description, and whether `shader-f16` is there and a device with it can be
// made. Dawn keeps shader-f16 off on NVIDIA's Vulkan driver (crbug.com/42251215) unless the
// `vulkan_enable_f16_on_nvidia` toggle is set; this shows which flags change that on a machine.
import { existsSync } from 'node:fs';

export const DEFAULT_FLAG_SETS: string[][] = [
  [],
  ['enable-dawn-features=allow_unsafe_apis'],
  ['enable-dawn-features=vulkan_enable_f16_on_nvidia'],
  ['enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia'],
];

export interface ProbeRow {
  flags: string[];
  featureLevel: string;
  adapter: string | null;
  description: string;
  fallback: boolean | null;
  shaderF16: boolean;
  /** requestDevice({ requiredFeatures: ['shader-f16'] }): 'ok', its error, or 'n/a'. */
  f16Device: string;
  features: string[];
}

export async function probeAdapters(flagSets: string[][] = DEFAULT_FLAG_SETS): Promise<ProbeRow[]> {
  const dawn = await import('webgpu');
  Object.assign(globalThis, dawn.globals);
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!process.env.VK_ICD_FILENAMES && !(await dawn.create([]).requestAdapter()) && existsSync(swiftshader)) {
    process.env.VK_ICD_FILENAMES = swiftshader;
  }
  const rows: ProbeRow[] = [];
  for (const flags of flagSets) {
    let gpu: GPU;
    try {
      gpu = dawn.create(flags);
    } catch (err) {
      rows.push({ flags, featureLevel: '-', adapter: null, description: `create() failed: ${String(err)}`, fallback: null, shaderF16: false, f16Device: 'n/a', features: [] });
      continue;
    }
    for (const featureLevel of ['core', 'compatibility']) {
      const adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' }).catch(() => null);
      if (!adapter) {
        rows.push({ flags, featureLevel, adapter: null, description: 'no adapter', fallback: null, shaderF16: false, f16Device: 'n/a', features: [] });
        continue;
      }
      const info = adapter.info;
      const shaderF16 = adapter.features.has('shader-f16');
      let f16Device = 'n/a';
      if (shaderF16) {
        try {
          const device = await adapter.requestDevice({ requiredFeatures: ['shader-f16'] });
          f16Device = 'ok';
          device.destroy();
        } catch (err) {
          f16Device = String(err);
        }
      }
      rows.push({
        flags,
        featureLevel,
        adapter: `${info.vendor} ${info.architecture} ${info.device}`.trim(),
        description: info.description,
        fallback: 'isFallbackAdapter' in info ? Boolean(info.isFallbackAdapter) : null,
        shaderF16,
        f16Device,
        features: [...adapter.features].map(String).sort(),
      });
    }
  }
  return rows;
}

/** The first flag set whose core adapter can make a shader-f16 device, or null. */
export function f16Flags(rows: ProbeRow[]): string[] | null {
  return rows.find((r) => r.featureLevel === 'core' && r.f16Device === 'ok')?.flags ?? null;
}

export function formatProbe(rows: ProbeRow[]): string {
  const lines = ['Dawn adapters (flags x feature level): shader-f16, device with it'];
  for (const r of rows) {
    lines.push(
      `  [${r.flags.join(' ') || 'no flags'}] ${r.featureLevel}: ${r.adapter ?? 'none'}${r.fallback ? ' (fallback)' : ''}` +
        ` | shader-f16 ${r.shaderF16 ? 'yes' : 'no'} | device ${r.f16Device} | ${r.description}`,
    );
  }
  const first = rows.find((r) => r.adapter);
  if (first) lines.push(`  features (first adapter): ${first.features.join(' ')}`);
  return lines.join('\n');
}
