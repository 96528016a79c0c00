// Headless entry: `npm run cli -- <command>`. Routes commands to plain modules; no logic here.
import { decodeToGray } from '../imaging/decode-node';
import { capsCommand } from './commands/caps';
import { evalCommand } from './commands/eval';
import { preprocessCommand } from './commands/preprocess';
import { reportCommand } from './commands/report';
import { verifyCommand } from './commands/verify';

const commands: Record<string, { help: string; run: (args: string[]) => Promise<number> }> = {
  caps: {
    help: 'print what this machine offers (WebGPU through Dawn, wasm threads) and the runtime of each stage and why [--json] [--ep auto|webgpu|wasm]',
    run: (args) => capsCommand(args),
  },
  preprocess: {
    help: 'resize, crop and normalise an image exactly as the model does; writes the 8-bit image and the tensor',
    run: (args) => preprocessCommand(args, decodeToGray),
  },
  eval: {
    help: 'reports for a folder of images, CheXpert-style labels, and per-finding metrics with bootstrap CIs',
    run: (args) => evalCommand(args),
  },
  report: {
    help: 'stream a report for one image (Dawn WebGPU or wasm) and print stage timings',
    run: (args) => reportCommand(args),
  },
  verify: {
    help: "the model self-check on the sample radiograph (as the app's Verify model); exit 1 when it fails",
    run: (args) => verifyCommand(args),
  },
};

function usage(): string {
  return ['usage: npm run cli -- <command> [options]', '', ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(10)} ${c.help}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name ? `unknown command "${name}"\n\n${usage()}` : usage());
    return 2;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
