import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'vite';
import { launchBrowser } from '../support/browser';
import type { KernelCheckInput } from './page/main';

const HERE = resolve(import.meta.dirname);
const REPO = resolve(HERE, '../..');
const SCRIPT = join(HERE, 'tinyllama_check.py');
export const LIB = 'v0_2_34-TinyLlama-1.1B-Chat-v0.4-q4f32_1-ctx1k-webgpu.wasm';
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const HIDDEN = 2048;

export interface Comparison {
  cosine: number;
  maxAbsDiff: number;
  maxAbsLogit: number;
  argmax: number;
  refArgmax: number;
  top5: number[];
  refTop5: number[];
}
export interface KernelCheckResult {
  notes: string[];
  libPrefillChunk: number;
  trimsInPlace: boolean;
  afterPrefill: number;
  finalLength: number;
  adapter: string;
  loadSeconds: number;
  timings: Record<string, number>;
  /** The second decode (after kv_state_popn) against the first: bit-identical or not. */
  redecodeMaxAbsDiff: number;
  /** Max |diff| between the backend's chunked prefill and web-llm's own of the same chunks. */
  chunkedVsWebllm: number | null;
  reference: {
    positions: number;
    steps: Record<'prefill' | 'decode' | 'redecode', Comparison>;
    withoutInjectedRows: Comparison;
    /** Each isolating prefill (see KernelCheckInput.isolate) against its own reference. */
    isolate: Record<string, Comparison>;
  };
  writeSeconds: number;
  referenceSeconds: number;
}

function python(args: string[], log: (line: string) => void): Promise<string> {
  return new Promise((ok, fail) => {
    const p = spawn(PYTHON, [SCRIPT, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      log(d.toString().trimEnd());
    });
    p.on('close', (code) => (code === 0 ? ok(out) : fail(new Error(`${SCRIPT} ${args[0]} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/**
 * The random weights take minutes to write on two cores (about 10 under load), so they are kept
 * in the temp folder under a key of the writer's source and the script's writing half (what
 * precedes its reading half, `class Cache`): a change to either writes them again.
 */
export function weightsKey(): string {
  const script = readFileSync(SCRIPT, 'utf8');
  return createHash('sha256')
    .update(readFileSync(join(REPO, 'models/mlc_weights.py')))
    .update(script.slice(0, script.indexOf('\nclass Cache')))
    .digest('hex')
    .slice(0, 16);
}

async function weights(log: (s: string) => void): Promise<{ dir: string; seconds: number }> {
  const key = weightsKey();
  const dir = join(tmpdir(), `cxr-webllm-kernels-${key}`);
  const done = join(dir, 'complete');
  if (existsSync(done)) return { dir, seconds: 0 };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  await python(['write', dir], log);
  writeFileSync(done, new Date().toISOString());
  return { dir, seconds: (Date.now() - t0) / 1000 };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

/** A plain static server on loopback: /page/ (the built page), /lib/, /model/. */
function serve(roots: Record<string, string>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, top, ...rest] = url.pathname.split('/');
    const root = roots[top ?? ''];
    const file = root ? normalize(join(root, ...rest.map(decodeURIComponent))) : '';
    if (!root || !file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      ok({ server, base: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/` });
    }),
  );
}

/** Deterministic image rows (mulberry32), about the scale of the embedding rows. */
function imageRows(count: number, seed: number): number[] {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count * HIDDEN }, () => (next() - 0.5) * 0.2);
}

export async function runKernelCheck(log: (s: string) => void = () => {}): Promise<KernelCheckResult> {
  const w = await weights(log);
  log(`weights: ${w.dir} (${w.seconds ? `written in ${w.seconds.toFixed(0)} s` : 'reused'})`);
  const pageDir = mkdtempSync(join(tmpdir(), 'cxr-webllm-kernels-page-'));
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: false, root: join(HERE, 'page'), base: './', logLevel: 'warn', mode: 'production', build: { outDir: pageDir, emptyOutDir: true, minify: false } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const { server, base } = await serve({ page: pageDir, lib: join(HERE, 'lib'), model: w.dir });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning' || m.text().startsWith('[kernels]')) log(`page ${m.type()}: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) log(`page request ${r.status()}: ${r.url()}`);
    });
    await page.goto(`${base}page/index.html`);
    await page.waitForFunction(() => 'runKernelCheck' in window, null, { timeout: 60_000 });
    const input: KernelCheckInput = {
      modelBase: `${base}model/`,
      libUrl: `${base}lib/${LIB}`,
      before: [1, 450, 6483],
      rows: imageRows(2, 7),
      rowCount: 2,
      after: [29889, 13],
      decodeToken: 3148,
      prefillChunk: 4,
      isolate: [
        { name: 'text, one forward', before: [1, 450, 6483], image: false, after: [29889, 13], prefillChunk: 1024 },
        { name: 'text, chunks of 2', before: [1, 450, 6483], image: false, after: [29889, 13], prefillChunk: 2 },
        { name: 'text + rows + text, one forward', before: [1, 450, 6483], image: true, after: [29889, 13], prefillChunk: 1024 },
        // A prefill from an empty cache, then one position through decode (measured to match before).
        { name: 'text, 4 then 1 (decode)', before: [1, 450, 6483], image: false, after: [29889, 13], prefillChunk: 4 },
      ],
      webllmOwn: { name: "text, chunks of 2, web-llm's own embedAndForward", chunks: [[1, 450], [6483, 29889], [13]] },
    };
    const got = await page.evaluate(
      (i) => (window as unknown as { runKernelCheck(x: typeof i): Promise<Record<string, unknown>> }).runKernelCheck(i),
      input,
    );
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const logits = got.logits as Record<'prefill' | 'decode' | 'redecode', number[]>;
    const isolated = got.isolated as Record<string, number[]>;
    const prompt = input.before.length + input.rowCount + input.after.length;
    const run = {
      isolate: [
        ...(input.isolate ?? []).map((c) => ({
          name: c.name,
          pieces: c.image ? [{ ids: c.before }, { rows: chunk(input.rows, HIDDEN) }, { ids: c.after }] : [{ ids: [...c.before, ...c.after] }],
          logits: isolated[c.name],
        })),
        ...(input.webllmOwn ? [{ name: input.webllmOwn.name, pieces: [{ ids: input.webllmOwn.chunks.flat() }], logits: isolated[input.webllmOwn.name] }] : []),
      ],
      pieces: [{ ids: input.before }, { rows: chunk(input.rows, HIDDEN) }, { ids: input.after }, { ids: [input.decodeToken] }],
      steps: [
        { name: 'prefill', upto: prompt, logits: logits.prefill },
        { name: 'decode', upto: prompt + 1, logits: logits.decode },
        { name: 'redecode', upto: prompt + 1, logits: logits.redecode },
      ],
    };
    const runFile = join(pageDir, 'run.json');
    writeFileSync(runFile, JSON.stringify(run));
    const t0 = Date.now();
    const reference = JSON.parse(await python(['reference', w.dir, runFile], log)) as KernelCheckResult['reference'];
    const redecodeMaxAbsDiff = logits.decode.reduce((m, v, i) => Math.max(m, Math.abs(v - logits.redecode[i]!)), 0);
    // The backend's chunked prefill against web-llm's own, same chunks: the backend's part.
    const ours = isolated['text, chunks of 2'];
    const theirs = input.webllmOwn && isolated[input.webllmOwn.name];
    const chunkedVsWebllm = ours && theirs ? ours.reduce((m, v, i) => Math.max(m, Math.abs(v - theirs[i]!)), 0) : null;
    const rest: Record<string, unknown> = { ...got };
    delete rest.logits;
    delete rest.isolated;
    return {
      ...(rest as unknown as Omit<KernelCheckResult, 'reference' | 'writeSeconds' | 'referenceSeconds' | 'redecodeMaxAbsDiff'>),
      redecodeMaxAbsDiff,
      chunkedVsWebllm,
      reference,
      writeSeconds: w.seconds,
      referenceSeconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await browser.close();
    server.close();
    rmSync(pageDir, { recursive: true, force: true });
  }
}

function chunk(values: number[], width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += width) out.push(values.slice(i, i + width));
  return out;
}
