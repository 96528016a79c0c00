// The PyTorch side of the comparison: spawns models/bench/torch_vision_bench.py on the same model
// folder (same checkpoint, the converter's own VisionEncoder module) and reads its JSON.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface TorchDtypeResult {
  firstMs: number;
  medianMs: number;
  minMs: number;
  runsMs: number[];
  cpuMedianMs?: number;
  error: { maxAbs: number; relL2: number; maxAbsOverMaxRef: number };
}

export interface TorchResult {
  torch: string;
  python: string;
  device: 'cpu' | 'cuda';
  runs: number;
  warmup: number;
  loadSeconds: number;
  results: Record<string, TorchDtypeResult>;
  gpu?: string;
  cudaVersion?: string;
  tf32?: { matmul: boolean; cudnn: boolean };
  cpu?: string;
  threads?: number;
  blas?: string[];
  pythonPath: string;
}

export interface TorchOptions {
  modelDir: string;
  device: 'auto' | 'cpu' | 'cuda';
  /** Empty: fp32 on cpu, fp32 + bf16 on cuda. */
  dtypes: string[];
  /** On cuda at least 20 runs after 3 warm-ups. */
  runs: number;
  warmup: number;
  python?: string;
  timeoutMs: number;
}

export const TORCH_SCRIPT = 'models/bench/torch_vision_bench.py';

/**
 * A Python that imports torch: $PYTHON, then `python3` on PATH (on the GPU machine, the one with
 * CUDA torch), then Debian's /usr/bin/python3 (python3-torch; the `python3` on PATH here may be
 * another interpreter without it).
 */
export function findPython(explicit?: string): { python: string; cuda: boolean } {
  const candidates = [explicit, process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((x): x is string => Boolean(x));
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch, sys; sys.stdout.write("cuda" if torch.cuda.is_available() else "cpu")'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status === 0) return { python, cuda: r.stdout.trim() === 'cuda' };
    if (explicit && python === explicit) break;
  }
  throw new Error(`no Python with torch found (tried ${candidates.join(', ')}); set --python or PYTHON`);
}

export async function runTorchBench(o: TorchOptions): Promise<TorchResult> {
  const script = path.resolve(TORCH_SCRIPT);
  if (!existsSync(script)) throw new Error(`${script} not found: run from the project root`);
  const { python, cuda } = findPython(o.python);
  const device = o.device === 'auto' ? (cuda ? 'cuda' : 'cpu') : o.device;
  // bf16 on the GPU is what the reference runs; on a CPU without bf16 matmul kernels it only adds minutes.
  const dtypes = o.dtypes.length ? o.dtypes : device === 'cuda' ? ['fp32', 'bf16'] : ['fp32'];
  // GPU runs are milliseconds: take enough of them for a stable median.
  const runs = device === 'cuda' ? Math.max(o.runs, 20) : o.runs;
  const warmup = device === 'cuda' ? Math.max(o.warmup, 3) : o.warmup;
  const args = [script, '--model', o.modelDir, '--device', device, '--dtype', dtypes.join(','), '--runs', String(runs), '--warmup', String(warmup)];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) {
    throw new Error(`${python} ${TORCH_SCRIPT} failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  return { ...(JSON.parse(last) as Omit<TorchResult, 'pythonPath'>), pythonPath: python };
}
