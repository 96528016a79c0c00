import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run cli -- caps', () => {
  it('prints the Node capability report as JSON with a plan for every stage', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'caps', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    // Dawn's Vulkan warnings (no driver found) belong on stderr: stdout is the report alone.
    expect(r.stdout).not.toMatch(/Warning|vkCreateInstance/);
    const { caps, plan, providers } = JSON.parse(r.stdout);
    expect(caps.host).toBe('node');
    expect(caps.wasmThreads).toBe(true);
    expect(plan.map((p: { stage: string }) => p.stage)).toEqual(['decode', 'preprocess', 'vision', 'decoder']);
    // Whatever the machine, the plan must be consistent with what was found.
    const onGpu = providers.vision.provider === 'webgpu';
    expect(plan[2].runtime).toBe(onGpu ? (caps.webgpu.shaderF16 ? 'ort-webgpu-fp16' : 'ort-webgpu-fp32') : 'ort-wasm');
    expect(plan[2].note).toContain(providers.vision.reason);
    // A software adapter (SwiftShader, as on CI machines without a GPU) is never chosen.
    if (caps.webgpu.available && /swiftshader/i.test(caps.webgpu.architecture)) expect(providers.vision.basis).toBe('software-adapter');
  }, 60_000);

  it('--ep forces a provider', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'caps', '--json', '--ep', 'wasm'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const { providers, plan } = JSON.parse(r.stdout);
    expect(providers.vision).toMatchObject({ provider: 'wasm', basis: 'forced' });
    expect(plan[2].runtime).toBe('ort-wasm');
  }, 60_000);

  it('rejects an unknown command with usage and exit code 2', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'nope'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "nope"[\s\S]*caps/);
  }, 60_000);
});
