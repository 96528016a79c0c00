// `npm run bench:vision -- [--model DIR] [--ep wasm|webgpu|auto] [--runs N] [--warmup N] [--out FILE] ...`
// (--help lists every option). Real-size CXR-LLaVA vision encoder: ORT-web (wasm / WebGPU through
// Dawn) against PyTorch on the same weights and input, in one command; JSON to bench-results/.
import { defaultSelf, runVisionCli } from './cli';

try {
  await runVisionCli(process.argv.slice(2), defaultSelf());
  process.exit(0); // Dawn's instance would keep the event loop alive
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
