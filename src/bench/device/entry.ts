// Entry of the device bundle (bundle.mjs -> bench.mjs): every measurement of
// run-device-bench.sh through one file, so the GPU machine needs no node_modules beyond the
// runtime files carried next to it.
//   node bench.mjs vision [bench:vision options]     the real-size vision encoder (cli.ts)
//   node bench.mjs probe --out FILE                   Dawn adapters, shader-f16 under several flags
//   node bench.mjs pipeline [--model DIR --image FILE --ep E --runs N --warmup N --tokens N] --out FILE
//   node bench.mjs summary FILE...                    the short table of everything (printed last)
//   node bench.mjs verify [cli verify options]        the model self-check (issue 14) on this GPU
import { readFile, writeFile } from 'node:fs/promises';
import { runPipelineBench } from '../pipeline-bench';
import { f16Flags, formatProbe, probeAdapters, type ProbeRow } from '../vision/adapter-probe';
import { machineInfo, rowVerdict, runVisionCli, type VisionBenchReport } from '../vision/cli';
import { verifyCommand } from '../../cli/commands/verify';

const [command, ...args] = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};

async function probe(): Promise<void> {
  const rows = await probeAdapters();
  console.log(formatProbe(rows));
  const flags = f16Flags(rows);
  console.log(`shader-f16 device: ${flags ? `yes with [${flags.join(' ') || 'no flags'}]` : 'not under any probed flags'}`);
  await writeFile(opt('out', 'probe.json'), JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), rows, f16Flags: flags }, null, 2));
  // For the shell script: the flag set that gives shader-f16, one per line ('' = none needed).
  if (args.includes('--print-f16-flags')) await writeFile(opt('f16-flags-file', 'f16-flags.txt'), flags ? flags.join('\n') : 'NONE');
}

async function pipeline(): Promise<void> {
  const ep = opt('ep', 'webgpu') as 'auto' | 'webgpu' | 'wasm';
  const r = await runPipelineBench({
    modelDir: opt('model', 'public/models/cxr-llava-tiny'),
    image: opt('image', 'public/samples/cxr-sample.jpg'),
    runs: Number(opt('runs', '5')),
    warmup: Number(opt('warmup', '1')),
    newTokens: Number(opt('tokens', '32')),
    ep,
    temperature: Number(opt('temperature', '0.2')),
  });
  await writeFile(opt('out', 'pipeline.json'), JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), image: opt('image', ''), pipeline: r }, null, 2));
  const m = r.medianMs;
  console.log(
    `pipeline (${r.model}, ${r.executionProvider}): decode ${m.decode.toFixed(1)} ms | preprocess ${m.preprocess.toFixed(1)} ms | vision ${m.visionEncode.toFixed(1)} ms | ` +
      `prefill ${m.prefill.toFixed(1)} ms | first token ${m.timeToFirstToken.toFixed(1)} ms | per token ${m.perTokenLoop.toFixed(2)} ms | cold: sessions ${r.coldStart.sessionCreateMs.toFixed(0)} ms, first encode ${r.coldStart.firstEncodeMs.toFixed(0)} ms`,
  );
}

type PipelineFile = { pipeline: Awaited<ReturnType<typeof runPipelineBench>> };

function fmt(x: number | null | undefined, unit = 'ms'): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (unit !== 'ms') return x.toFixed(2);
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`;
}

/** One short table from every JSON written by the steps above, with the issue's targets. */
async function summary(files: string[]): Promise<void> {
  const lines: string[] = [];
  let torchF32: number | null = null;
  let torchLine = '';
  const ortLines: string[] = [];
  let bestSteady: { label: string; ms: number } | null = null;
  let bestCold: { label: string; ms: number; create: number } | null = null;
  let pipe: PipelineFile['pipeline'] | null = null;
  for (const f of files) {
    let j: unknown;
    try {
      j = JSON.parse(await readFile(f, 'utf8'));
    } catch {
      lines.push(`(${f}: missing or unreadable)`);
      continue;
    }
    if (j && typeof j === 'object' && 'ort' in j) {
      const v = j as VisionBenchReport;
      const t = v.torch && 'results' in v.torch ? v.torch : null;
      if (t && !torchLine) {
        torchF32 = t.results.fp32?.medianMs ?? null;
        torchLine = `PyTorch ${t.device}${t.gpu ? ` ${t.gpu}` : ''} ${t.torch}: ` + Object.entries(t.results).map(([d, r]) => `${d} ${fmt(r.medianMs)} (first ${fmt(r.firstMs)})`).join(', ');
      }
      for (const [i, r] of v.ort.entries()) {
        if ('failed' in r) {
          ortLines.push(`  ${r.label.padEnd(44)} FAILED ${r.failed.slice(0, 120)}`);
          continue;
        }
        const smoke = v.model.width !== 1024 || v.model.imageSize !== 512;
        const tag = smoke ? ' [SMOKE model]' : v.model.reducedDepth ? ` [${v.model.layers} layers]` : '';
        // Against the PyTorch result stored with this report (same model folder), if any.
        const ratio = v.ratios[i]?.vsTorchFp32?.toFixed(2) ?? '-';
        ortLines.push(
          `  ${(r.label + tag).padEnd(44)} create ${fmt(r.sessionCreateMs).padStart(8)}  first ${fmt(r.firstRunMs).padStart(8)}  steady ${fmt(r.medianMs).padStart(8)}  x torch fp32 ${ratio.padStart(5)}  rel.err ${r.error.relL2.toExponential(1)}  self-check rows ${rowVerdict(r.selfCheckRows)}` +
            (r.second ? `  | 2nd session: create ${fmt(r.second.sessionCreateMs)}, first ${fmt(r.second.firstRunMs)}` : ''),
        );
        if (!v.model.reducedDepth && r.config.build !== 'wasm') {
          if (!bestSteady || r.medianMs < bestSteady.ms) bestSteady = { label: r.label, ms: r.medianMs };
          if (!bestCold || r.firstRunMs < bestCold.ms) bestCold = { label: r.label, ms: r.firstRunMs, create: r.sessionCreateMs };
        }
      }
    } else if (j && typeof j === 'object' && 'rows' in j) {
      const p = j as { rows: ProbeRow[]; f16Flags: string[] | null };
      const core = p.rows.find((r) => r.featureLevel === 'core' && r.adapter);
      lines.push(`adapter: ${core ? `${core.adapter} | ${core.description}` : 'none'}; shader-f16: ${p.rows.find((r) => r.flags.length === 0 && r.featureLevel === 'core')?.shaderF16 ? 'yes' : 'no'} by default, ${p.f16Flags ? `device ok with [${p.f16Flags.join(' ')}]` : 'not with any probed flag'}`);
    } else if (j && typeof j === 'object' && 'pipeline' in j) {
      const r = (j as PipelineFile).pipeline;
      const m = r.medianMs;
      pipe = r;
      const d = r.dropToFirstToken;
      if (d) {
        const part = (p: typeof d.firstImage) => `${fmt(p.total)} (decode ${fmt(p.decode)}, preprocess ${fmt(p.preprocess)}, encode ${fmt(p.encode)}, prefill ${fmt(p.prefill)}, first token ${fmt(p.firstToken)})`;
        lines.push(`tiny drop -> first token (${r.executionProvider}; warm-up ${fmt(d.warmupMs)} after sessions ${fmt(d.sessionCreateMs)}): first image ${part(d.firstImage)}; later ${part(d.laterImages)}; first/later ${d.firstOverLater.toFixed(2)}`);
      }
      lines.push(`tiny pipeline (${r.executionProvider}): decode ${fmt(m.decode)}, preprocess ${fmt(m.preprocess)}, vision ${fmt(m.visionEncode)}, prefill ${fmt(m.prefill)}, first token ${fmt(m.timeToFirstToken)}, per token ${fmt(m.perTokenLoop)}; cold sessions ${fmt(r.coldStart.sessionCreateMs)}, first encode ${fmt(r.coldStart.firstEncodeMs)}`);
    }
  }
  const out = ['==== summary ====', ...lines];
  if (torchLine) out.push(torchLine);
  out.push('ORT-web (Node + Dawn):', ...ortLines);
  out.push('targets (issue 8):');
  out.push(`  steady encode <= 1.5x PyTorch fp32: ${bestSteady && torchF32 ? `${(bestSteady.ms / torchF32).toFixed(2)}x (${bestSteady.label}) -> ${bestSteady.ms / torchF32 <= 1.5 ? 'MET' : 'NOT met'}` : 'no full-depth WebGPU result'}`);
  out.push(`  cold first encode <= 3 s: ${bestCold ? `first run ${fmt(bestCold.ms)} + session ${fmt(bestCold.create)} (${bestCold.label}) -> ${bestCold.ms <= 3000 ? 'MET' : 'NOT met'} (first run alone)` : 'no full-depth WebGPU result'}`);
  // The app warms the encoder after loading (generate/warm-up.ts), so an image's encode is the
  // steady time; the 7B prefill through WebLLM is not part of this bundle.
  const visionPart = pipe && bestSteady ? pipe.medianMs.decode + pipe.medianMs.preprocess + bestSteady.ms : null;
  out.push(
    `  drop-to-first-token < 2 s: ${visionPart !== null ? `decode + preprocess + steady encode = ${fmt(visionPart)} (${bestSteady!.label}), + the 7B prefill and first step (WebLLM, not in this bundle)` : 'no pipeline + full-depth WebGPU result'}`,
  );
  console.log(out.join('\n'));
}

try {
  if (command === 'vision') await runVisionCli(args, [process.execPath, ...process.execArgv, process.argv[1]!, 'vision']);
  else if (command === 'probe') await probe();
  else if (command === 'pipeline') await pipeline();
  else if (command === 'summary') await summary(args);
  else if (command === 'verify') process.exit(await verifyCommand(args));
  else throw new Error(`unknown command ${command ?? '(none)'}: vision | probe | pipeline | summary | verify`);
  process.exit(0);
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
}
