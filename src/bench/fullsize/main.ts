// `npm run bench:fullsize -- [--folder DIR] [--reloads N] [--encodes N] [--no-encode] [--phases quota,first,...]`
// The download / cache / sha256 pipeline and the vision encoder at the real CXR-LLaVA v2 sizes, in
// headless Chromium with an on-disk profile (as a user's browser keeps Cache Storage on disk):
// the folder of models/bench/make_fullsize_folder.py (random weights, ~5 GB, git-ignored) served on
// loopback. Measures: first load of every file with progress, an interrupted and resumed download,
// reloads from cache, the sha256 check alone, the storage check and a full store, the browser's
// peak memory per phase, and the vision encoder's first and later encodes on wasm. Writes JSON to
// bench-results/ and prints a Markdown summary. Not part of `npm test` (minutes, gigabytes).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findChrome } from '../../../e2e/support/chrome-path';
import { buildAndServe } from '../../../e2e/support/serve-build';
import type { ModelManifest } from '../../model/manifest';
import { median } from '../stats';
import { parseFullsizeArgs } from './args';
import { FOLDER_PREFIX, serveFolder } from './folder-server';
import type { EncodeResult, HashResult, LoadResult, StorageResult } from './protocol';
import { startRssSampler } from './rss-sampler';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAGE = 'src/bench/fullsize/fullsize.html';

const options = parseFullsizeArgs(process.argv.slice(2));
if (typeof options === 'string') {
  const help = options.startsWith('usage:');
  (help ? console.log : console.error)(options);
  process.exit(help ? 0 : 2);
}
const folder = resolve(options.folder ?? join(ROOT, 'models/work/fullsize/cxr-llava-fullsize'));
const { reloads, encodes, phases } = options;
const GiB = 2 ** 30;
const MiB = 2 ** 20;

const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as ModelManifest;
const allPaths = manifest.files.map((f) => f.path);
const vision = manifest.vision.onnx.fp32;
const webllmFolder = manifest.decoder.webllm?.q4f16_1?.modelFolder ?? null;
const totalBytes = manifest.files.reduce((n, f) => n + f.bytes, 0);

const server = serveFolder(folder);
const served = await buildAndServe({ input: { fullsize: join(ROOT, PAGE) }, previewPlugins: [server.plugin] });
const base = `${served.baseURL}${FOLDER_PREFIX.slice(1)}`;
const profile = mkdtempSync(join(tmpdir(), 'cxr-fullsize-profile-'));
const executablePath = findChrome();
if (!executablePath) throw new Error('No Chromium found (CHROME_PATH or /usr/bin/chromium).');
const rss = startRssSampler();
const context: BrowserContext = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page: Page = context.pages()[0] ?? (await context.newPage());
page.on('pageerror', (e) => console.error(`  [browser] page error: ${e.message}`));
let fileLines = 0;
await page.exposeFunction('cxrFullsizeLog', (line: string) => {
  // Every file of a few, and each of the shards' every 20th, so a long phase shows it is alive.
  if (!line.startsWith('mlc-') || ++fileLines % 20 === 0) console.error(`  [browser] ${line}`);
});
await page.goto(`${served.baseURL}${PAGE}`);
await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
const cdp = await context.newCDPSession(page);
const origin = served.baseURL.replace(/\/$/, '');

const log = (s: string) => console.error(s);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const loadAll = (paths: string[]) => page.evaluate(([b, p]) => window.cxrFullsize!.load(b, p), [base, paths] as const) as Promise<LoadResult>;
const peakGiB = () => rss.peakSince() / GiB;
const assertOk = (r: LoadResult, what: string) => {
  const bad = r.files.find((f) => f.error);
  if (bad) throw new Error(`${what}: ${bad.path}: ${bad.error!.message}`);
};

const results: Record<string, unknown> = {};
const startLoad = loadavg()[0];
const date = new Date().toISOString();
mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
const file = join(ROOT, 'bench-results', `fullsize-${date.replace(/[:.]/g, '').slice(0, 17)}.json`);
const machine = () => ({ cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: totalmem() / GiB, loadavg1AtStart: startLoad, loadavg1Now: loadavg()[0] });
/** Written after every phase, so a run stopped part way still leaves what it measured. */
const save = () =>
  writeFileSync(
    file,
    JSON.stringify(
      {
        command: `npm run bench:fullsize -- ${process.argv.slice(2).join(' ')}`.trim(),
        date,
        machine: machine(),
        browser: { executablePath, profile: 'persistent (on disk)' },
        folder: { path: folder, files: manifest.files.length, bytes: totalBytes, largest: Math.max(...manifest.files.map((f) => f.bytes)) },
        ...results,
      },
      null,
      2,
    ),
  );
try {
  rss.peakSince();
  await page.evaluate(() => window.cxrFullsize!.clear());
  const before = (await page.evaluate(([b, p, w]) => window.cxrFullsize!.storage(b, p, w), [base, [vision, manifest.tokenizer.json], webllmFolder] as [string, string[], string | null])) as StorageResult;
  results.storageBefore = before;
  log(`storage: quota ${(before.quota / GiB).toFixed(1)} GiB, usage ${(before.usage / MiB).toFixed(0)} MiB; app files ${(before.appBytes / MiB).toFixed(0)} MiB + WebLLM folder ${(before.webLlmBytes / MiB).toFixed(0)} MiB`);

  if (phases.has('quota')) {
    // 0. Storage quota: a quota smaller than the model (CDP Storage.overrideQuotaForOrigin), on the empty cache.
    // A store that fails keeps nothing, so the first load below still starts from nothing.
    const quotaSize = 1 * GiB;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize });
    const small = (await page.evaluate(([b, p, w]) => window.cxrFullsize!.storage(b, p, w), [base, [vision, manifest.tokenizer.json], webllmFolder] as [string, string[], string | null])) as StorageResult;
    // Past the app's pre-download check (it would refuse here): what a full store does to a download.
    peakGiB();
    const full = await loadAll([vision]);
    const fullErr = full.files[0]!.error;
    results.quota = { quotaSize, estimate: small, refusedByCheck: small.appBytes + small.webLlmBytes > small.quota - small.usage, storeFullMs: full.ms, storeFullError: fullErr, peakRssGiB: peakGiB() };
    log(`quota ${(quotaSize / GiB).toFixed(1)} GiB: the check needs ${((small.appBytes + small.webLlmBytes) / MiB).toFixed(0)} MiB, free ${((small.quota - small.usage) / MiB).toFixed(0)} MiB; a download past it: ${fullErr ? `${fullErr.code}: ${fullErr.message}` : 'no error (cached?)'}`);
    save();
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }

  if (phases.has('first')) {
    // 1. First load: every file of the folder from an empty cache, with progress.
    peakGiB();
    const first = await loadAll(allPaths);
    assertOk(first, 'first load');
    const visionFirst = first.files.find((f) => f.path === vision)!;
    results.firstLoad = { ...first, peakRssGiB: peakGiB(), mbPerS: totalBytes / MiB / (first.ms / 1000) };
    log(`first load: ${manifest.files.length} files, ${(totalBytes / GiB).toFixed(2)} GiB in ${s(first.ms)}; vision.onnx ${s(visionFirst.ms)} (${visionFirst.progressEvents} progress events, first after ${visionFirst.firstProgressMs?.toFixed(0)} ms)`);
    save();
  }

  if (phases.has('hash')) {
    // 3. The hash check on the largest file: read from the cache and hashed in one streamed pass (as
    // a reload does), then the sha256 alone over the bytes in memory.
    const hashes: HashResult[] = [];
    for (let i = 0; i < reloads; i++) {
      peakGiB();
      hashes.push((await page.evaluate(([b, p]) => window.cxrFullsize!.hash(b, p), [base, vision] as const)) as HashResult);
      log(`hash ${vision}: read + sha256 streamed ${s(hashes.at(-1)!.readMs)}, sha256 alone ${s(hashes.at(-1)!.hashMs)}`);
    }
    results.hash = { runs: hashes, peakRssGiB: peakGiB() };
    save();
  }

  if (phases.has('interrupt')) {
    // 4. An interrupted download (the connection drops half way) and its resumption.
    await page.evaluate(async ([b, p]) => (await caches.open('cxr-llava-models-v1')).delete(new URL(p, b).href), [base, vision] as const);
    const half = Math.floor(manifest.files.find((f) => f.path === vision)!.bytes / 2);
    server.cutOnce(vision, half);
    peakGiB();
    const cut = await loadAll([vision]);
    const cutErr = cut.files[0]!.error;
    if (cutErr?.code !== 'interrupted') throw new Error(`interrupted download: expected an 'interrupted' error, got ${JSON.stringify(cutErr)}`);
    const cutPeak = peakGiB();
    const n0 = server.requests.length;
    const resumed = await loadAll([vision]);
    assertOk(resumed, 'resume');
    const resumeReqs = server.requests.slice(n0).filter((r) => r.path === vision);
    results.interrupted = {
      cutAfterBytes: half,
      failMs: cut.ms,
      message: cutErr.message,
      failPeakRssGiB: cutPeak,
      resumeMs: resumed.ms,
      resumeRequests: resumeReqs,
      resumePeakRssGiB: peakGiB(),
    };
    log(`interrupted after ${(half / MiB).toFixed(0)} MiB (${s(cut.ms)}): "${cutErr.message}"; resumed in ${s(resumed.ms)} with ${JSON.stringify(resumeReqs)}`);
    save();
  }

  // 5. The vision encoder at full size on wasm: session from the cached file, first and later encodes.
  if (phases.has('encode')) {
    peakGiB();
    const enc = (await page.evaluate(([b, n]) => window.cxrFullsize!.encode(b, n), [base, encodes] as const)) as EncodeResult;
    results.encode = { ...enc, peakRssGiB: peakGiB() };
    log(`vision on wasm (${enc.numThreads} threads): fetch ${s(enc.fetchMs)}, session ${s(enc.createMs)}, encodes ${enc.runsMs.map(s).join(' / ')}; ${enc.rows} rows, finite ${enc.finite}`);
    save();
  }

  if (phases.has('reload')) {
    // 6. Reloads of every file from the cache (each read back and its sha256 checked); last, being the longest.
    // The vision file was cut and resumed above, so the cache again holds every file.
    const reloadRuns: { ms: number; visionMs: number; peakRssGiB: number; network: number }[] = [];
    results.reloads = reloadRuns; // saved after each run: a run that dies part way keeps the ones before
    for (let i = 0; i < reloads; i++) {
      const n0 = server.requests.length;
      peakGiB();
      const r = await loadAll(allPaths);
      assertOk(r, 'reload');
      if (r.files.some((f) => !f.fromCache)) throw new Error('reload: a file did not come from the cache');
      reloadRuns.push({ ms: r.ms, visionMs: r.files.find((f) => f.path === vision)!.ms, peakRssGiB: peakGiB(), network: server.requests.length - n0 });
      log(`reload ${i + 1}: ${s(r.ms)} (vision.onnx ${s(reloadRuns.at(-1)!.visionMs)}), ${server.requests.length - n0} network requests (manifest.json)`);
      save();
    }
    results.reloads = reloadRuns;
    save();
  }

} catch (err) {
  console.error(err);
  results.error = String(err);
  save();
} finally {
  rss.stop();
  await context.close().catch(() => {});
  await served.close();
  rmSync(profile, { recursive: true, force: true });
}

const reloadsDone = (results.reloads as { ms: number; visionMs: number }[] | undefined) ?? [];
const hashesDone = (results.hash as { runs: HashResult[] } | undefined)?.runs ?? [];
const summary = {
  reloadMedianMs: median(reloadsDone.map((r) => r.ms)),
  reloadVisionMedianMs: median(reloadsDone.map((r) => r.visionMs)),
  hashMedianMs: median(hashesDone.map((h) => h.hashMs)),
  readMedianMs: median(hashesDone.map((h) => h.readMs)),
  laterEncodeMedianMs: results.encode ? median((results.encode as EncodeResult).runsMs.slice(1)) : null,
};
results.summary = summary;
save();
log(`\nwritten: ${file}`);
log(JSON.stringify(summary));
process.exit(0);
