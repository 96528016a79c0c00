import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run cli -- caps', () => {
  it('prints the Node capability report as JSON with a plan for every stage', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'caps', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const { caps, plan } = JSON.parse(r.stdout);
    expect(caps.host).toBe('node');
    expect(caps.wasmThreads).toBe(true);
    expect(plan.map((p: { stage: string }) => p.stage)).toEqual(['decode', 'preprocess', 'vision', 'decoder']);
    // Whatever the machine, the plan must be consistent with what was found.
    expect(plan[2].runtime).toBe(caps.webgpu.available ? (caps.webgpu.shaderF16 ? 'ort-webgpu-fp16' : 'ort-webgpu-fp32') : 'ort-wasm');
  }, 60_000);

  it('rejects an unknown command with usage and exit code 2', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'nope'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "nope"[\s\S]*caps/);
  }, 60_000);
});
