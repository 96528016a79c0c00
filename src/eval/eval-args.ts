// The `eval` command's arguments: usage text and parsing (run-eval.ts runs what they ask).
export const EVAL_USAGE = `usage: npm run cli -- eval --images DIR [--reports REF.csv] [--labels LABELS.csv] [--model DIR]
                             [--out DIR] [--limit N] [--greedy] [--max-new-tokens N] [--seed N]
                             [--ep auto|webgpu|wasm] [--threads N] [--bootstrap N] [--bootstrap-seed N]
  Generates a report for every image under DIR (PGM, PNG, JPEG, DICOM; sorted by path; --limit
  takes the first N), appending to <out>/generated.jsonl; a rerun skips images already there.
  Labels generated and reference reports with the CheXpert-style labeler, writes <out>/labels.csv,
  and with a reference (--reports: columns image,report; --labels: image + the 14 CheXpert
  columns, 1/0/-1/blank; --labels wins when both are given) <out>/metrics.json and a table:
  per finding n, accuracy, sensitivity, specificity, F1 with 95% bootstrap CIs (definite labels
  only). --out defaults to ./eval-out; --model to the bundled demo model (random weights).`;

export type EpChoice = 'auto' | 'webgpu' | 'wasm';

export interface EvalOptions {
  images: string;
  reports?: string;
  labels?: string;
  model: string;
  out: string;
  limit?: number;
  greedy: boolean;
  maxNewTokens?: number;
  seed?: number;
  ep: EpChoice;
  threads?: number;
  bootstrap: number;
  bootstrapSeed: number;
}

export function parseEvalArgs(args: readonly string[]): EvalOptions | string {
  const o: Partial<EvalOptions> & Pick<EvalOptions, 'model' | 'out' | 'greedy' | 'ep' | 'bootstrap' | 'bootstrapSeed'> = {
    model: 'public/models/cxr-llava-tiny',
    out: 'eval-out',
    greedy: false,
    ep: 'auto',
    bootstrap: 1000,
    bootstrapSeed: 20240601,
  };
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}, not "${v}"`);
    return n;
  };
  try {
    for (let i = 0; i < args.length; i++) {
      const [a, inline] = args[i]!.startsWith('--') ? (args[i]!.split(/=(.*)/s, 2) as [string, string | undefined]) : [args[i]!, undefined];
      const next = () => {
        const v = inline ?? args[++i];
        if (v === undefined) throw new Error(`${a} needs a value`);
        return v;
      };
      switch (a) {
        case '--images':
          o.images = next();
          break;
        case '--reports':
          o.reports = next();
          break;
        case '--labels':
          o.labels = next();
          break;
        case '--model':
          o.model = next();
          break;
        case '--out':
          o.out = next();
          break;
        case '--limit':
          o.limit = int(a, next(), 0);
          break;
        case '--greedy':
          o.greedy = true;
          break;
        case '--max-new-tokens':
          o.maxNewTokens = int(a, next(), 1);
          break;
        case '--seed':
          o.seed = int(a, next(), 0);
          break;
        case '--ep': {
          const v = next();
          if (v !== 'auto' && v !== 'webgpu' && v !== 'wasm') throw new Error('--ep must be auto, webgpu or wasm');
          o.ep = v;
          break;
        }
        case '--threads':
          o.threads = int(a, next(), 1);
          break;
        case '--bootstrap':
          o.bootstrap = int(a, next(), 0);
          break;
        case '--bootstrap-seed':
          o.bootstrapSeed = int(a, next(), 0);
          break;
        default:
          throw new Error(a.startsWith('--') ? `unknown option ${a}` : `unexpected argument "${a}" (the image folder goes after --images)`);
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
  if (!o.images) return '--images DIR is required';
  return o as EvalOptions;
}
