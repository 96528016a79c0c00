import type { CapabilityReport, StagePlan } from './types';

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const v = bytes / 1024 ** i;
  return `${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Plain-text capability report, as the CLI prints it. */
export function formatReport(caps: CapabilityReport, plan: StagePlan[]): string {
  const lines: string[] = [];
  const g = caps.webgpu;
  lines.push(`host: ${caps.host}`);
  if (g.available) {
    lines.push(
      `webgpu: yes — vendor ${g.vendor || '?'}, architecture ${g.architecture || '?'}` +
        `${g.isFallbackAdapter ? ', fallback (software) adapter' : ''}`,
      `shader-f16: ${g.shaderF16 ? 'yes' : 'no'}`,
      `max buffer: ${formatBytes(g.maxBufferSize)}, max storage binding: ${formatBytes(g.maxStorageBufferBindingSize)}`,
    );
  } else {
    lines.push(`webgpu: no — ${g.reason}`);
  }
  lines.push(
    `wasm threads: ${caps.wasmThreads ? `yes (${caps.logicalCores} cores)` : 'no'}` +
      (caps.host === 'browser' && !caps.crossOriginIsolated ? ' (page is not cross-origin isolated)' : ''),
  );
  if (caps.storage) {
    lines.push(
      `storage: ${formatBytes(caps.storage.usageBytes)} used of ${formatBytes(caps.storage.quotaBytes)}` +
        (caps.storage.persisted ? ' (persistent)' : ''),
    );
  }
  lines.push('stages:');
  for (const s of plan) lines.push(`  ${s.stage.padEnd(10)} ${s.runtime.padEnd(16)} ${s.note}`);
  return lines.join('\n');
}
