// The full-size bench's command line. Strict, because a mistyped option would otherwise start
// the whole run (minutes, gigabytes) with the defaults.

export const ALL_PHASES = ['quota', 'first', 'hash', 'interrupt', 'encode', 'reload'] as const;
export type Phase = (typeof ALL_PHASES)[number];

export const FULLSIZE_USAGE = `usage: npm run bench:fullsize -- [--folder DIR] [--reloads N] [--encodes N] [--no-encode] [--phases P,...]
  DIR: the folder of models/bench/make_fullsize_folder.py (default models/work/fullsize/cxr-llava-fullsize)
  --reloads N   reloads from cache (default 3)     --encodes N   vision encodes on wasm (default 3)
  --phases      any of ${ALL_PHASES.join(',')} (default all; hash, encode and reload need first)
  --no-encode   leaves the vision encoder out (whatever --phases says)`;

export interface FullsizeOptions {
  folder: string | null;
  reloads: number;
  encodes: number;
  phases: Set<Phase>;
}

/** The options, or a message (the usage, with what was wrong first). */
export function parseFullsizeArgs(args: readonly string[]): FullsizeOptions | string {
  const o: FullsizeOptions = { folder: null, reloads: 3, encodes: 3, phases: new Set(ALL_PHASES) };
  const fail = (why: string) => `${why}\n${FULLSIZE_USAGE}`;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') return FULLSIZE_USAGE;
    if (a === '--no-encode') continue; // applied at the end, after --phases
    const value = args[i + 1];
    if (!['--folder', '--reloads', '--encodes', '--phases'].includes(a)) return fail(`unknown option ${a}`);
    if (value === undefined || value.startsWith('--')) return fail(`${a} needs a value`);
    i++;
    if (a === '--folder') o.folder = value;
    else if (a === '--phases') {
      const wanted = value.split(',');
      const unknown = wanted.filter((p) => !(ALL_PHASES as readonly string[]).includes(p));
      if (unknown.length) return fail(`unknown phase ${unknown.join(', ')}`);
      o.phases = new Set(wanted as Phase[]);
    } else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) return fail(`${a} ${value}: a whole number, 0 or more`);
      if (a === '--reloads') o.reloads = n;
      else o.encodes = n;
    }
  }
  if (args.includes('--no-encode')) o.phases.delete('encode');
  return o;
}
