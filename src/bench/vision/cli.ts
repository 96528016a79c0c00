// `npm run bench:vision -- [options]`: the real-size vision encoder, ORT-web vs PyTorch, side by
// side in one command. See README "Benchmarks" and --help.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatProbe, probeAdapters, type ProbeRow } from './adapter-probe';
import { runTorchBench, type TorchResult } from './torch-baseline';
import { configLabel, readMeta, runOrtConfig, type AdapterReport, type OptLevel, type OrtBuild, type OrtConfig, type OrtFailure, type OrtResult, type VisionModelMeta } from './vision-bench';
import type { RowCheck } from '../../selfcheck/compare';
import type { WebGpuOption } from './vision-core';

export const DEFAULT_MODEL = 'models/work/bench/vit-l16-512';

const HELP = `npm run bench:vision -- [options]
  --model DIR         folder from models/bench/make_vision_large.py (default ${DEFAULT_MODEL})
  --ep LIST           wasm | webgpu | auto (default auto: webgpu on a hardware adapter, else wasm)
  --build LIST        WebGPU build: native (onnxruntime-web/webgpu, asyncify; default) | jspi (the
                      same EP's JSPI build, the app's in Chromium; Node needs JSPI: 25 or later) |
                      jsep (the JSEP build, the app's before; for comparison). With --browser,
                      native and jspi both run the app's build
  --dtype LIST        fp32 | fp16 (fp16 needs vision.fp16.onnx and, on WebGPU, shader-f16)
  --opt LIST          graph optimisation: all (default) | extended | basic | disabled
  --runs N --warmup N timed runs after warm-up runs (default 3 after 1); a first run is always timed
  --threads N         wasm threads (default: all cores, as PyTorch)
  --dawn-flag FLAG    a Dawn create() flag, repeatable (e.g. enable-dawn-features=vulkan_enable_f16_on_nvidia)
  --second-session    also time a second session's creation and first run (shader caches)
  --webgpu-option LIST  WebGPU session options: gpu-output (preferredOutputLocation 'gpu-buffer'),
                      graph-capture (enableGraphCapture, input in a GPU buffer); '+' combines
                      within one configuration, ',' makes one configuration each (default none)
  --browser           run each configuration in headless Chromium (the app's production build, in a
                      worker; WebGPU is SwiftShader on a machine without a GPU) instead of Node
  --torch DEV         auto | cpu | cuda | none (default auto: cuda if torch has it)
  --torch-dtype LIST  default fp32 on cpu, fp32,bf16 on cuda
  --torch-runs N --torch-warmup N   (default: --runs / --warmup; on cuda at least 20 / 3)
  --torch-json FILE   reuse a torch result (the "torch" field of an earlier output) instead of running it
  --python PATH       Python with torch (default $PYTHON, python3, /usr/bin/python3)
  --probe             also list Dawn adapters / shader-f16 under several flags
  --child-timeout S   per configuration (default 1800)
  --out FILE          JSON (default bench-results/vision-<host>-<date>.json)
LIST = one value or a comma list; every combination of --ep/--build/--dtype/--opt runs in its own process.`;

interface CliOptions {
  modelDir: string;
  eps: ('wasm' | 'webgpu' | 'auto')[];
  builds: OrtBuild[];
  dtypes: ('fp32' | 'fp16')[];
  opts: OptLevel[];
  runs: number;
  warmup: number;
  threads: number;
  dawnFlags: string[];
  secondSession: boolean;
  webgpuOptions: WebGpuOption[][];
  torch: 'auto' | 'cpu' | 'cuda' | 'none';
  torchDtypes: string[] | null;
  torchRuns: number | null;
  torchWarmup: number | null;
  torchJson: string | null;
  python: string | undefined;
  probe: boolean;
  childTimeoutMs: number;
  out: string;
  browser: boolean;
}

function parse(argv: string[]): CliOptions {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const boolean = new Set(['second-session', 'probe', 'help', 'browser']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${HELP}`);
    const name = a.slice(2);
    if (boolean.has(name)) flags.add(name);
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      values.set(name, [...(values.get(name) ?? []), v]);
    }
  }
  if (flags.has('help')) {
    console.log(HELP);
    process.exit(0);
  }
  const one = (n: string, d: string) => values.get(n)?.at(-1) ?? d;
  const list = (n: string, d: string) => one(n, d).split(',').map((s) => s.trim()).filter(Boolean);
  const num = (n: string, d: number) => {
    const v = Number(one(n, String(d)));
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${n} must be a number >= 0`);
    return v;
  };
  const check = <T extends string>(n: string, xs: string[], allowed: readonly T[]) => {
    for (const x of xs) if (!allowed.includes(x as T)) throw new Error(`--${n} ${x}: one of ${allowed.join(', ')}`);
    return xs as T[];
  };
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '');
  return {
    modelDir: one('model', DEFAULT_MODEL),
    eps: check('ep', list('ep', 'auto'), ['wasm', 'webgpu', 'auto'] as const),
    builds: check('build', list('build', 'native'), ['jsep', 'native', 'jspi'] as const),
    dtypes: check('dtype', list('dtype', 'fp32'), ['fp32', 'fp16'] as const),
    opts: check('opt', list('opt', 'all'), ['all', 'extended', 'basic', 'disabled'] as const),
    runs: num('runs', 3),
    warmup: num('warmup', 1),
    threads: num('threads', os.availableParallelism()),
    dawnFlags: values.get('dawn-flag') ?? [],
    secondSession: flags.has('second-session'),
    webgpuOptions: (values.get('webgpu-option') ? list('webgpu-option', '') : ['']).map((set) => {
      const opts = set.split('+').filter(Boolean);
      for (const x of opts) if (x !== 'gpu-output' && x !== 'graph-capture') throw new Error(`--webgpu-option ${x}: gpu-output or graph-capture`);
      return opts as WebGpuOption[];
    }),
    browser: flags.has('browser'),
    torch: check('torch', [one('torch', 'auto')], ['auto', 'cpu', 'cuda', 'none'] as const)[0]!,
    torchDtypes: values.has('torch-dtype') ? list('torch-dtype', '') : null,
    torchRuns: values.has('torch-runs') ? num('torch-runs', 0) : null,
    torchWarmup: values.has('torch-warmup') ? num('torch-warmup', 0) : null,
    torchJson: values.get('torch-json')?.at(-1) ?? null,
    python: values.get('python')?.at(-1),
    probe: flags.has('probe'),
    childTimeoutMs: num('child-timeout', 1800) * 1000,
    out: one('out', `bench-results/vision-${os.hostname()}-${stamp}.json`),
  };
}

/** auto = webgpu when Dawn gives a hardware adapter; SwiftShader is ~70x slower than wasm. */
async function resolveAuto(): Promise<{ ep: 'webgpu' | 'wasm'; why: string }> {
  const rows = await probeAdapters([[]]).catch(() => [] as ProbeRow[]);
  const core = rows.find((r) => r.featureLevel === 'core' && r.adapter);
  if (!core) return { ep: 'wasm', why: 'no WebGPU adapter' };
  const soft = core.fallback || /swiftshader/i.test(`${core.adapter} ${core.description}`);
  return soft ? { ep: 'wasm', why: `software adapter (${core.adapter}) skipped; force it with --ep webgpu` } : { ep: 'webgpu', why: core.adapter! };
}

/** Runs one configuration in a fresh process: `self` re-invokes this program in child mode. */
async function runChild(self: string[], config: OrtConfig, timeoutMs: number): Promise<OrtResult | OrtFailure> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vision-bench-'));
  const resultFile = path.join(dir, 'result.json');
  const [cmd, ...args] = self;
  const started = performance.now();
  const { code, signal, tail } = await new Promise<{ code: number | null; signal: string | null; tail: string }>((resolve) => {
    const child = spawn(cmd!, [...args, '--child', JSON.stringify(config), '--child-result', resultFile], { stdio: ['ignore', 'inherit', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => {
      process.stderr.write(d);
      tail = (tail + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, tail });
    });
  });
  try {
    if (code === 0) return JSON.parse(await readFile(resultFile, 'utf8')) as OrtResult;
    const reported = await readFile(resultFile, 'utf8').then((t) => (JSON.parse(t) as { error?: string }).error).catch(() => undefined);
    if (reported) return { config, label: configLabel(config), failed: reported };
    const why = signal === 'SIGKILL' && performance.now() - started >= timeoutMs - 100 ? `timed out after ${timeoutMs / 1000} s` : `exit ${code ?? signal}`;
    return { config, label: configLabel(config), failed: `${why}: ${tail.trim().split('\n').slice(-3).join(' | ')}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Child mode: one configuration, result written as JSON. */
export async function runChildMode(argv: string[]): Promise<boolean> {
  const i = argv.indexOf('--child');
  if (i < 0) return false;
  const config = JSON.parse(argv[i + 1]!) as OrtConfig;
  const resultFile = argv[argv.indexOf('--child-result') + 1]!;
  console.error(`[${configLabel(config)}] starting`);
  let result: OrtResult;
  try {
    result = await runOrtConfig(config);
  } catch (err) {
    // The parent reports the message, not the stack's last lines.
    await writeFile(resultFile, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    throw err;
  }
  await writeFile(resultFile, JSON.stringify(result));
  console.error(`[${result.label}] create ${ms(result.sessionCreateMs)}, first ${ms(result.firstRunMs)}, median ${ms(result.medianMs)} (${result.runsMs.length} runs)`);
  return true;
}

function ms(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`;
}

function sci(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toExponential(1);
}

export function machineInfo() {
  return {
    hostname: os.hostname(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

export interface VisionBenchReport {
  date: string;
  machine: ReturnType<typeof machineInfo> & { loadAverageBefore: number[]; loadAverageAfter: number[] };
  model: Pick<VisionModelMeta, 'layers' | 'width' | 'imageSize' | 'heads' | 'tokens' | 'imageRows' | 'outputDim' | 'parameters' | 'flops' | 'exporter' | 'torch'> & { dir: string; reducedDepth: boolean };
  torch: TorchResult | { failed: string } | null;
  ort: (OrtResult | OrtFailure)[];
  ratios: { label: string; vsTorchFp32: number | null; vsTorchBf16: number | null; cpuTimeVsTorchFp32: number | null; torchDevice: string | null }[];
  probe: ProbeRow[] | null;
  notes: string[];
  table: string;
}

/** Runs configurations in a browser (src/bench/browser/vision-browser.ts); given by the npm entry only, so bundles for Node need no browser. */
export interface BrowserRunnerFactory {
  (modelDir: string): Promise<{ run(c: OrtConfig, meta: VisionModelMeta, timeoutMs: number): Promise<OrtResult | OrtFailure>; close(): Promise<void> }>;
}

/** `self`: the command that re-runs this program (node, its flags, the script, any subcommand). */
export async function runVisionCli(argv: string[], self: string[], browserRunner?: BrowserRunnerFactory): Promise<VisionBenchReport | null> {
  if (await runChildMode(argv)) return null;
  const o = parse(argv);
  const meta = await readMeta(o.modelDir);
  const loadBefore = os.loadavg();
  const notes: string[] = [];
  const smoke = meta.width !== 1024 || meta.imageSize !== 512;
  const reduced = meta.layers !== 24 || smoke;
  if (smoke) notes.push(`SMOKE MODEL: width ${meta.width}, ${meta.imageSize} px (not the real shape): checks code paths, its times mean nothing`);
  else if (reduced) notes.push(`REDUCED DEPTH: ${meta.layers} of 24 layers (same width and tokens); per-layer = median / layers, an upper bound (includes patch embedding and projector)`);

  const eps = new Set<'wasm' | 'webgpu'>();
  for (const ep of o.eps) {
    if (ep !== 'auto') eps.add(ep);
    else {
      const r = await resolveAuto();
      eps.add(r.ep);
      notes.push(`--ep auto -> ${r.ep} (${r.why})`);
    }
  }
  const configs: OrtConfig[] = [];
  for (const ep of eps) {
    for (const build of ep === 'wasm' ? (['wasm'] as const) : o.builds) {
      for (const dtype of o.dtypes) {
        for (const opt of o.opts) {
          for (const webgpuOptions of build === 'wasm' ? [[]] : o.webgpuOptions) {
            configs.push({ modelDir: o.modelDir, build, dtype, opt, runs: o.runs, warmup: o.warmup, threads: o.threads, dawnFlags: build === 'wasm' ? [] : o.dawnFlags, secondSession: o.secondSession, webgpuOptions });
          }
        }
      }
    }
  }

  const probe = o.probe ? await probeAdapters() : null;
  if (probe) console.error(formatProbe(probe));

  let torch: VisionBenchReport['torch'] = null;
  if (o.torchJson) {
    const j = JSON.parse(await readFile(o.torchJson, 'utf8')) as { torch?: TorchResult } & TorchResult;
    torch = j.torch ?? j;
    notes.push(`PyTorch result read from ${o.torchJson}`);
  } else if (o.torch !== 'none') {
    try {
      torch = await runTorchBench({
        modelDir: o.modelDir,
        device: o.torch,
        dtypes: o.torchDtypes ?? [],
        runs: o.torchRuns ?? o.runs,
        warmup: o.torchWarmup ?? o.warmup,
        python: o.python,
        timeoutMs: o.childTimeoutMs,
      });
    } catch (err) {
      torch = { failed: (err as Error).message };
      console.error(`PyTorch baseline failed: ${(err as Error).message}`);
    }
  }

  const ort: VisionBenchReport['ort'] = [];
  if (o.browser) {
    if (!browserRunner) throw new Error('--browser: this build of the bench has no browser runner; use `npm run bench:vision -- --browser`');
    const runner = await browserRunner(o.modelDir);
    try {
      for (const c of configs) ort.push(await runner.run(c, meta, o.childTimeoutMs));
    } finally {
      await runner.close();
    }
    const b = ort.find((r): r is typeof r & { browser: { name: string; version: string } } => 'browser' in r && !!r.browser);
    notes.push(`ORT ran in headless ${b ? `${b.browser.name} ${b.browser.version}` : 'Chromium'} (the app's production build, in a worker; a fresh browser per configuration); CPU/run there = CPU time of all the browser's processes`);
  } else {
    for (const c of configs) ort.push(await runChild(self, c, o.childTimeoutMs));
  }

  const t = torch && 'results' in torch ? torch : null;
  const ratios = ort.map((r) => {
    const m = 'failed' in r ? NaN : r.medianMs;
    const f32 = t?.results.fp32?.medianMs;
    const b16 = t?.results.bf16?.medianMs;
    const cpuF32 = t?.results.fp32?.cpuMedianMs;
    const cpu = 'failed' in r ? NaN : r.cpuMedianMs;
    return {
      label: r.label,
      vsTorchFp32: f32 && Number.isFinite(m) ? m / f32 : null,
      cpuTimeVsTorchFp32: cpuF32 && Number.isFinite(cpu) ? cpu / cpuF32 : null,
      vsTorchBf16: b16 && Number.isFinite(m) ? m / b16 : null,
      torchDevice: t ? `${t.device}${t.gpu ? ` (${t.gpu})` : ''}` : null,
    };
  });
  for (const r of ort) {
    // A failed browser run still names its adapter.
    const a = (r as { adapter?: AdapterReport | null }).adapter;
    if (r.config.build !== 'wasm' && a && (a.isFallbackAdapter || /swiftshader/i.test(a.architecture + a.description))) {
      notes.push(`${r.label}: SOFTWARE adapter (${a.vendor} ${a.architecture}): CPU-emulated WebGPU, not a GPU number`);
    }
  }

  const table = formatTable(meta, o, t, ort, ratios, notes);
  const report: VisionBenchReport = {
    date: new Date().toISOString(),
    machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
    model: {
      dir: o.modelDir,
      reducedDepth: reduced,
      layers: meta.layers,
      width: meta.width,
      imageSize: meta.imageSize,
      heads: meta.heads,
      tokens: meta.tokens,
      imageRows: meta.imageRows,
      outputDim: meta.outputDim,
      parameters: meta.parameters,
      flops: meta.flops,
      exporter: meta.exporter,
      torch: meta.torch,
    },
    torch,
    ort,
    ratios,
    probe,
    notes,
    table,
  };
  await mkdir(path.dirname(path.resolve(o.out)), { recursive: true });
  await writeFile(o.out, JSON.stringify(report, null, 2));
  console.log(`${table}\nwritten to ${o.out}`);
  return report;
}

function formatTable(meta: VisionModelMeta, o: CliOptions, t: TorchResult | null, ort: VisionBenchReport['ort'], ratios: VisionBenchReport['ratios'], notes: string[]): string {
  const gflop = meta.flops.total / 1e9;
  const smoke = meta.width !== 1024 || meta.imageSize !== 512;
  const head = `vision encoder: ViT/16 width ${meta.width}, ${meta.imageSize} px, ${meta.layers} layers${smoke ? ' (SMOKE MODEL)' : meta.layers !== 24 ? ' (REDUCED DEPTH)' : ''} + projector, random weights, ${gflop.toPrecision(3)} GFLOP/encode; ${os.cpus()[0]?.model ?? ''} x${os.availableParallelism()}`;
  const rows: string[][] = [['runtime', 'create', 'first', 'median', `ms/layer`, 'GFLOP/s', 'x torch fp32', 'CPU/run', 'x (CPU time)', 'rel.err', 'max abs', 'self-check rows']];
  const perLayer = (m: number) => (Number.isFinite(m) ? (m / meta.layers).toFixed(1) : '-');
  if (t) {
    for (const [dtype, r] of Object.entries(t.results)) {
      const f32 = t.results.fp32?.medianMs;
      rows.push([
        `torch ${t.device} ${dtype}${t.device === 'cpu' ? ` (${t.threads} thr${t.blas?.some((b) => /openblas/i.test(b)) ? ', OpenBLAS' : ''})` : ''}`,
        '-',
        ms(r.firstMs),
        ms(r.medianMs),
        perLayer(r.medianMs),
        (gflop / (r.medianMs / 1000)).toFixed(0),
        f32 ? (r.medianMs / f32).toFixed(2) : '-',
        ms(r.cpuMedianMs),
        r.cpuMedianMs && t.results.fp32?.cpuMedianMs ? (r.cpuMedianMs / t.results.fp32.cpuMedianMs).toFixed(2) : '-',
        dtype === 'fp32' && t.device === 'cpu' ? '(ref)' : sci(r.error.relL2),
        sci(r.error.maxAbs),
      ]);
    }
  }
  ort.forEach((r, i) => {
    if ('failed' in r) {
      rows.push([`ORT ${r.label}`, `FAILED: ${r.failed.slice(0, 160)}`]);
      return;
    }
    const ratio = ratios[i]?.vsTorchFp32;
    const cpuRatio = ratios[i]?.cpuTimeVsTorchFp32;
    rows.push([
      `ORT ${r.label}${r.config.build === 'wasm' ? ` (${r.wasmThreads} thr)` : ''}`,
      ms(r.sessionCreateMs),
      ms(r.firstRunMs),
      ms(r.medianMs),
      perLayer(r.medianMs),
      Number.isFinite(r.medianMs) ? (gflop / (r.medianMs / 1000)).toFixed(0) : '-',
      ratio ? ratio.toFixed(2) : '-',
      ms(r.cpuMedianMs),
      cpuRatio ? cpuRatio.toFixed(2) : '-',
      sci(r.error.relL2),
      sci(r.error.maxAbs),
      rowVerdict(r.selfCheckRows),
    ]);
    if (r.second) rows.push([`  second session`, ms(r.second.sessionCreateMs), ms(r.second.firstRunMs)]);
  });
  const widths = rows[0]!.map((_, c) => Math.max(...rows.filter((r) => r.length > 2).map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) => (r.length <= 2 ? r.join('  ') : r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ')));
  const runsNote =
    `ORT: median of ${o.runs} after ${o.warmup} warm-up (first run timed separately); torch: median of ${t?.runs ?? '-'} after ${t?.warmup ?? '-'}. ` +
    `CPU/run = process CPU time (all threads) per steady run; its ratio holds up when other jobs share the cores, wall-clock does not`;
  return [head, ...lines, runsNote, ...notes.map((n) => `note: ${n}`)].join('\n');
}

/** The self-check's vision verdict in a table cell: "ok cos>=0.999998" or "FAIL row 17 cos 0.93". */
export function rowVerdict(c: RowCheck | undefined): string {
  if (!c) return '-';
  const cos = c.minCosine.toFixed(6);
  return c.ok ? `ok cos>=${cos}` : `FAIL row ${c.worstCosineRow} cos ${cos}, norm err ${sci(c.maxNormError)} (row ${c.worstNormRow})`;
}

export function defaultSelf(): string[] {
  const script = process.argv[1];
  if (!script || !existsSync(script)) throw new Error('cannot find this script to re-run it in child mode');
  return [process.execPath, ...process.execArgv, script];
}
