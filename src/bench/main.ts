// `npm run bench [-- --runs N --warmup N --ep auto|webgpu|wasm --tokens N --temperature T --model DIR --image FILE --out FILE]`
// `npm run bench -- --browser [--ep wasm|webgpu ...]`: in headless Chromium instead of Node.
// Times the pipeline in Node and preprocessing against PIL, side by side in one run, and writes
// the numbers as JSON (default bench-results/bench-<host>-<date>.json).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runDicomBench } from './dicom-bench';
import { runPipelineBench } from './pipeline-bench';
import { runPreprocessBench } from './preprocess-bench';

const args = process.argv.slice(2);
// `--browser [--ep wasm|webgpu]`: the same stages in headless Chromium (browser/pipeline-cli.ts).
if (args.includes('--browser')) {
  const { runBrowserPipelineCli } = await import('./browser/pipeline-cli');
  await runBrowserPipelineCli(args);
  process.exit(0);
}
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const runs = Number(opt('runs', '5'));
const warmup = Number(opt('warmup', '1'));
const ep = opt('ep', 'wasm') as 'auto' | 'webgpu' | 'wasm';
const out = opt('out', `bench-results/bench-${os.hostname()}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);

const machine = { cpus: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), loadAverage: os.loadavg(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` };
console.error(`machine: ${machine.cpus} x${machine.cores}, ${machine.memoryGiB} GiB`);
// Its own defaults (21 runs after 5 warm-ups): the JIT needs them to settle.
const preprocess = await runPreprocessBench({});
const dicom = await runDicomBench({});
const pipeline = await runPipelineBench({
  modelDir: opt('model', 'public/models/cxr-llava-tiny'),
  image: opt('image', 'public/samples/cxr-sample.jpg'),
  runs,
  warmup,
  newTokens: Number(opt('tokens', '32')),
  ep,
  temperature: Number(opt('temperature', '0.2')),
});
const result = { date: new Date().toISOString(), machine, preprocess: { ...preprocess, typescript: { ...preprocess.typescript, runsMs: undefined }, pil: { ...preprocess.pil, runsMs: undefined } }, dicom: { ...dicom, typescript: { ...dicom.typescript, runsMs: undefined }, python: { ...dicom.python, runsMs: undefined } }, pipeline };
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2));
const m = pipeline.medianMs;
const d = pipeline.dropToFirstToken;
const parts = (p: typeof d.firstImage) =>
  `${p.total.toFixed(0)} ms (decode ${p.decode.toFixed(1)}, preprocess ${p.preprocess.toFixed(1)}, encode ${p.encode.toFixed(1)}, prefill ${p.prefill.toFixed(1)}, first token ${p.firstToken.toFixed(1)})`;
console.log(
  [
    `drop -> first token (sessions ${d.sessionCreateMs.toFixed(0)} ms, warm-up ${d.warmupMs.toFixed(0)} ms, ${d.images} images):`,
    `  first image ${parts(d.firstImage)}`,
    `  later images (median) ${parts(d.laterImages)}`,
    `  first / later ${d.firstOverLater.toFixed(2)}` +
      (d.cpu ? `; in CPU time ${d.cpu.firstImageMs.toFixed(0)} / ${d.cpu.laterImagesMs.toFixed(0)} ms = ${d.cpu.firstOverLater.toFixed(2)}` : ''),
    `pipeline (${pipeline.model}${pipeline.randomWeights ? ', random weights' : ''}, ${pipeline.executionProvider}; medians of ${runs} after ${warmup} warm-up)`,
    `  decode ${m.decode.toFixed(1)} ms | preprocess ${m.preprocess.toFixed(1)} ms | vision ${m.visionEncode.toFixed(1)} ms | prefill ${m.prefill.toFixed(1)} ms (${pipeline.promptTokens} tokens)`,
    `  first token ${m.timeToFirstToken.toFixed(1)} ms | per token ${m.perTokenLoop.toFixed(2)} ms (bare forward ${m.perTokenBareForward.toFixed(2)} ms, loop adds ${(pipeline.loopOverheadPerToken * 100).toFixed(1)}%)`,
    `  cold: sessions ${pipeline.coldStart.sessionCreateMs.toFixed(0)} ms, first encode ${pipeline.coldStart.firstEncodeMs.toFixed(0)} ms`,
    `preprocess 3000x2500: TypeScript (${preprocess.typescript.passes}) ${preprocess.typescript.medianMs.toFixed(1)} ms, scalar TypeScript ${preprocess.scalar.medianMs.toFixed(1)} ms, vs PIL ${preprocess.pil.medianMs.toFixed(1)} ms (ratio ${preprocess.ratio.toFixed(2)}; CPU time ${preprocess.typescript.cpuMedianMs!.toFixed(1)} vs ${preprocess.pil.cpuMedianMs!.toFixed(1)} ms, ratio ${preprocess.cpuRatio.toFixed(2)})`,
    `16-bit DICOM ${dicom.file.width}x${dicom.file.height} -> tensor: TypeScript ${dicom.typescript.medianMs.toFixed(1)} ms (decode ${dicom.typescript.stagesMedianMs.decode.toFixed(1)}, window ${dicom.typescript.stagesMedianMs.window.toFixed(1)}, preprocess ${dicom.typescript.stagesMedianMs.preprocess.toFixed(1)}) vs pydicom+PIL ${dicom.python.medianMs.toFixed(1)} ms (ratio ${dicom.ratio.toFixed(2)}, max diff ${dicom.parity.maxDiff})`,
    `written to ${out}`,
  ].join('\n'),
);
