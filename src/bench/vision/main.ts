// `npm run bench:vision -- [--model DIR] [--ep wasm|webgpu|auto] [--runs N] [--warmup N] [--out FILE] [--browser] ...`
// (--help lists every option). Real-size CXR-LLaVA vision encoder: ORT-web (wasm / WebGPU through
// Dawn, or in headless Chromium with --browser) against PyTorch on the same weights and input, in
// one command; JSON to bench-results/.
import { defaultSelf, runVisionCli } from './cli';

try {
  const argv = process.argv.slice(2);
  // Loaded only when asked for: it brings Vite and playwright-core.
  const browser = argv.includes('--browser') ? (await import('../browser/vision-browser')).createBrowserVisionRunner : undefined;
  await runVisionCli(argv, defaultSelf(), browser);
  process.exit(0); // Dawn's instance would keep the event loop alive
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
