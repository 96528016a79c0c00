// `tsx src/bench/run-preprocess-bench.ts [--runs N] [--warmup N] [--width W] [--height H]`:
// prints runPreprocessBench's result as JSON.
import { runPreprocessBench, type PreprocessBenchOptions } from './preprocess-bench';

const opts: PreprocessBenchOptions = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i]?.replace(/^--/, '');
  const value = Number(argv[i + 1]);
  if ((key === 'runs' || key === 'warmup' || key === 'width' || key === 'height') && Number.isInteger(value) && value >= 0) {
    opts[key] = value;
  } else {
    console.error('usage: run-preprocess-bench.ts [--runs N] [--warmup N] [--width W] [--height H]');
    process.exit(2);
  }
}
const result = await runPreprocessBench(opts);
// Per-run lists are long; keep them out of the printed summary.
console.log(JSON.stringify({ ...result, typescript: { ...result.typescript, runsMs: undefined }, scalar: { ...result.scalar, runsMs: undefined }, pil: { ...result.pil, runsMs: undefined } }, null, 2));
