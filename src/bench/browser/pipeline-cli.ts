// `npm run bench -- --browser [--ep wasm|webgpu] [--runs N --warmup N --tokens N --temperature T
//   --model DIR --image FILE --timeout S --out FILE --visits 1|2 --cold-starts N --compare-warm-up
//   --compare-builds [asyncify,jsep,wasm]]`
// The pipeline bench in headless Chromium: the same stage timing code as in Node
// (pipeline-core.ts) in the bench page's worker, on the app's production build; preprocessing
// timed in the page against PIL (and against the same TypeScript in Node) on the same pixels.
// With --visits 2 (the default) the page is then loaded again in the same browser profile and the
// pipeline runs once more: what a returning user gets (Chromium's caches, its wasm code cache
// among them, kept), next to the first visit's cold start; every cold start below does the same.
// The first image after load is one sample per browser, and on a small machine it moves by ×2
// between runs; so drop -> first token is repeated in --cold-starts fresh browsers (default 5,
// the first being the full run's) and first / later is judged by its median over them. With
// --compare-warm-up, as many cold starts again with one warm-up round (what the app did before it
// repeated the warm-up until steady), interleaved with the others. With --compare-builds, as many
// cold starts again on each of ORT's other builds named (default asyncify: the native WebGPU EP
// with asyncify, the app's fallback where there is no JSPI; jsep: the app's build before the
// native one; wasm: the CPU EP alone), also interleaved: the same stages on the other builds'
// code, side by side.
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { preprocessGray } from '../../preprocess/preprocess';
import { compareCrops, runPreprocessBench, summarise, syntheticRadiograph } from '../preprocess-bench';
import { median } from '../stats';
import type { DropParts, DropToFirstTokenResult } from '../pipeline-core';
import { machineInfo } from '../vision/cli';
import { openBenchBrowser, serveBenchPage, type BenchFile } from './driver';
import { COMPARED_BUILDS, type ComparedBuild, type OrtBuildChoice } from './protocol';

/** Every file below `dir`, by its path relative to it (with `/`). */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

export async function runBrowserPipelineCli(args: string[]): Promise<void> {
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
  };
  const ep = opt('ep', 'wasm');
  if (ep !== 'wasm' && ep !== 'webgpu') throw new Error(`--ep ${ep}: the browser bench takes wasm or webgpu`);
  const runs = Number(opt('runs', '5'));
  const warmup = Number(opt('warmup', '1'));
  const modelDir = opt('model', 'public/models/cxr-llava-tiny');
  const image = opt('image', 'public/samples/cxr-sample.jpg');
  const timeoutMs = Number(opt('timeout', '1800')) * 1000;
  const visits = Number(opt('visits', '2'));
  if (visits !== 1 && visits !== 2) throw new Error(`--visits ${visits}: 1 or 2`);
  const coldStarts = Number(opt('cold-starts', '5'));
  if (!Number.isInteger(coldStarts) || coldStarts < 1) throw new Error(`--cold-starts ${coldStarts}: a whole number, 1 or more`);
  const compareWarmUp = args.includes('--compare-warm-up');
  const compareBuilds = comparedBuilds(args, ep);
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '');
  const out = opt('out', `bench-results/bench-browser-${ep}-${os.hostname()}-${stamp}.json`);
  const loadAverageBefore = os.loadavg();
  const machine = machineInfo();
  console.error(`machine: ${machine.cpu} x${machine.cores}, ${machine.memoryGiB} GiB`);

  // PIL (and the TypeScript in Node) first, on the pixels the page gets next.
  const node = await runPreprocessBench({});
  const synthetic = syntheticRadiograph(node.image.width, node.image.height);
  const imageName = path.basename(image);
  const files: Record<string, BenchFile> = { 'synthetic.gray': synthetic.data, [`image/${imageName}`]: image };
  for (const f of listFiles(modelDir)) files[`model/${f}`] = path.join(modelDir, f);

  const server = await serveBenchPage(files);
  const browser = await openBenchBrowser(server.pageUrl).catch(async (err: unknown) => {
    await server.close();
    throw err;
  });
  try {
    const { env, adapter } = await browser.run({ kind: 'info' }, 60_000);
    if (ep === 'webgpu' && !adapter) throw new Error(`Chromium has no WebGPU adapter: ${env.webgpu}`);
    console.error(`browser: ${browser.description.name} ${browser.description.version}; adapter: ${adapter ? `${adapter.vendor} ${adapter.architecture} (${adapter.description})` : env.webgpu}`);

    const pre = await browser.run(
      { kind: 'preprocess', url: server.fileUrl('synthetic.gray'), width: synthetic.width, height: synthetic.height, spec: node.spec, runs: node.runs, warmup: node.warmup },
      timeoutMs,
    );
    const browserCrop = new Uint8Array(Buffer.from(pre.cropBase64, 'base64'));
    const pageTiming = summarise(pre.runsMs);
    const pipelineRequest = {
      kind: 'pipeline',
      manifestUrl: server.fileUrl('model/manifest.json'),
      imageUrl: server.fileUrl(`image/${imageName}`),
      ep,
      options: { runs, warmup, newTokens: Number(opt('tokens', '32')), temperature: Number(opt('temperature', '0.2')) },
    } as const;
    const pipeline = await browser.run(pipelineRequest, timeoutMs);
    let secondVisit: { dropToFirstToken: DropToFirstTokenResult; coldStart: typeof pipeline.coldStart } | undefined;
    if (visits === 2) {
      await browser.reload();
      const again = await browser.run(pipelineRequest, timeoutMs);
      secondVisit = { dropToFirstToken: again.dropToFirstToken, coldStart: again.coldStart };
    }

    await browser.close();
    // More cold starts: each a fresh browser (fresh profile, nothing compiled), drop -> first token only.
    const series: ColdStart[] = [{ warmUp: 'steady', build: 'app', drop: pipeline.dropToFirstToken, ...(secondVisit ? { secondVisit: secondVisit.dropToFirstToken } : {}) }];
    // Round robin over the kinds compared, so load drifts hit each alike; the app's first cold
    // start was the full run's.
    const kinds: Omit<ColdStart, 'drop' | 'secondVisit'>[] = [
      { warmUp: 'steady', build: 'app' },
      ...(compareWarmUp ? [{ warmUp: 'one round', build: 'app' } as const] : []),
      ...compareBuilds.map((build) => ({ warmUp: 'steady', build }) as const),
    ];
    const plan = Array.from({ length: coldStarts }, (_, i) => kinds.slice(i === 0 ? 1 : 0)).flat();
    for (const { warmUp, build } of plan) {
      const fresh = await openBenchBrowser(server.pageUrl, { log: false });
      try {
        const request = { kind: 'drop', manifestUrl: pipelineRequest.manifestUrl, imageUrl: pipelineRequest.imageUrl, ep, images: runs + 1, temperature: pipelineRequest.options.temperature, ortBuild: build, ...(warmUp === 'one round' ? { maxWarmUpRounds: 1 } : {}) } as const;
        const drop = await fresh.run(request, timeoutMs);
        const line = (d: DropToFirstTokenResult) => `first / later ${d.firstOverLater.toFixed(2)} (${d.firstImage.total.toFixed(0)} / ${d.laterImages.total.toFixed(0)} ms; warm-up rounds ${d.warmupRoundsMs.map((x) => x.toFixed(0)).join(', ')} ms)`;
        let again: DropToFirstTokenResult | undefined;
        if (visits === 2) {
          // The returning user: the same profile, Chromium's code cache kept.
          await fresh.reload();
          again = await fresh.run(request, timeoutMs);
        }
        series.push({ warmUp, build, drop, ...(again ? { secondVisit: again } : {}) });
        console.error(`  cold start ${series.length} (${warmUp}, ${build} build): ${line(drop)}${again ? `; second visit ${line(again)}` : ''}`);
      } finally {
        await fresh.close();
      }
    }
    const coldStartSummary = summariseColdStarts(series);

    const result = {
      date: new Date().toISOString(),
      host: 'browser',
      machine: { ...machine, loadAverageBefore, loadAverageAfter: os.loadavg() },
      browser: { ...browser.description, ...env },
      adapter,
      executionProvider: pipeline.executionProvider,
      image: image,
      preprocess: {
        image: node.image,
        spec: node.spec,
        runs: node.runs,
        warmup: node.warmup,
        browser: { medianMs: pageTiming.medianMs, minMs: pageTiming.minMs, passes: pre.passes },
        node: { medianMs: node.typescript.medianMs, minMs: node.typescript.minMs, node: node.typescript.node, passes: node.typescript.passes },
        nodeScalar: { medianMs: node.scalar.medianMs, minMs: node.scalar.minMs },
        pil: { ...node.pil, runsMs: undefined },
        /** Chromium's median / PIL's: below 1 means the browser is faster. */
        ratioBrowserVsPil: pageTiming.medianMs / node.pil.medianMs,
        ratioNodeVsPil: node.ratio,
        /** Node's crop equals PIL's (parityNodeVsPil); the browser's is compared with Node's. */
        parityNodeVsPil: node.parity,
        parityBrowserVsNode: compareCrops(browserCrop, preprocessGray(synthetic, node.spec).resized.data),
      },
      pipeline,
      /** The same pipeline after reloading the page in the same profile (absent with --visits 1). */
      secondVisit,
      /** Drop -> first token in fresh browsers, the full run's first; medians per warm-up. */
      coldStarts: { series, summary: coldStartSummary },
    };
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeFile(out, JSON.stringify(result, null, 2));
    const m = pipeline.medianMs;
    const f = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
    console.log(
      [
        `pipeline in ${browser.description.name} ${browser.description.version} (${pipeline.model}${pipeline.randomWeights ? ', random weights' : ''}, ${pipeline.executionProvider}` +
          `${adapter && ep === 'webgpu' ? ` on ${adapter.vendor} ${adapter.architecture}${adapter.isFallbackAdapter ? ', software adapter' : ''}` : ''}; medians of ${runs} after ${warmup} warm-up)`,
        `  decode ${f(m.decode)} | preprocess ${f(m.preprocess)} | vision ${f(m.visionEncode)} | prefill ${f(m.prefill)} (${pipeline.promptTokens} tokens)`,
        `  first token ${f(m.timeToFirstToken)} | per token ${m.perTokenLoop.toFixed(2)} ms (bare forward ${m.perTokenBareForward.toFixed(2)} ms) | total ${f(m.total)} for ${pipeline.newTokens} tokens`,
        `  cold: sessions ${f(pipeline.coldStart.sessionCreateMs)}, first encode ${f(pipeline.coldStart.firstEncodeMs)}`,
        ...dropLines(pipeline.dropToFirstToken, f),
        ...(secondVisit ? ['second visit (page reloaded, same profile):', ...dropLines(secondVisit.dropToFirstToken, f).map((l) => `  ${l}`)] : []),
        ...coldStartSummary.flatMap((c) => {
          const medians = (m: Omit<typeof c, 'warmUp' | 'build' | 'secondVisit'>) =>
            `sessions median ${f(m.sessionCreateMs)}; first / later median ${m.firstOverLater.median.toFixed(2)} (each: ${m.firstOverLater.each.map((x) => x.toFixed(2)).join(', ')}); ` +
            `first image median ${f(m.firstImageMs)}, later ${f(m.laterImagesMs)}; warm-up median ${f(m.warmupMs)}`;
          return [`${c.coldStarts} cold starts, ${c.build} build, warm-up ${c.warmUp}: ${medians(c)}`, ...(c.secondVisit ? [`  their second visits: ${medians(c.secondVisit)}`] : [])];
        }),
        `preprocess ${node.image.width}x${node.image.height}: Chromium (${pre.passes}) ${f(pageTiming.medianMs)}, Node (${node.typescript.passes}) ${f(node.typescript.medianMs)}, Node scalar ${f(node.scalar.medianMs)}, PIL ${f(node.pil.medianMs)} ` +
          `(Chromium/PIL ${result.preprocess.ratioBrowserVsPil.toFixed(2)}, Node/PIL ${node.ratio.toFixed(2)}; crop differs from PIL's in ${node.parity.differingPixels} / Node's in ${result.preprocess.parityBrowserVsNode.differingPixels} pixels)`,
        `written to ${out}`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

interface ColdStart {
  /** 'steady': the app's warm-up (repeated until it stops getting faster); 'one round': a single round. */
  warmUp: 'steady' | 'one round';
  /** 'app': the app's ORT build; else the compared build (see protocol.ts). */
  build: OrtBuildChoice;
  drop: DropToFirstTokenResult;
  /** The same after reloading the page in that browser (with --visits 2). */
  secondVisit?: DropToFirstTokenResult;
}

/** The builds named after --compare-builds (asyncify when none is named), or none without it. */
export function comparedBuilds(args: string[], ep: 'wasm' | 'webgpu'): ComparedBuild[] {
  const i = args.indexOf('--compare-builds');
  if (i < 0) return [];
  const next = args[i + 1];
  const names = next && !next.startsWith('--') ? next.split(',') : ['asyncify'];
  const builds = names.map((b) => {
    if (!(COMPARED_BUILDS as readonly string[]).includes(b)) throw new Error(`--compare-builds ${b}: one or more of ${COMPARED_BUILDS.join(', ')}`);
    return b as ComparedBuild;
  });
  if (ep === 'webgpu' && builds.includes('wasm')) throw new Error('--compare-builds wasm: the CPU-only build has no WebGPU; use --ep wasm');
  return [...new Set(builds)];
}

function summariseColdStarts(series: ColdStart[]) {
  const kinds = [...new Map(series.map((c) => [`${c.warmUp}|${c.build}`, { warmUp: c.warmUp, build: c.build }])).values()];
  const summary = (runs: DropToFirstTokenResult[]) => {
    const each = runs.map((d) => d.firstOverLater);
    return {
      sessionCreateMs: median(runs.map((d) => d.sessionCreateMs)),
      coldStarts: runs.length,
      firstOverLater: { median: median(each), each },
      firstImageMs: median(runs.map((d) => d.firstImage.total)),
      laterImagesMs: median(runs.map((d) => d.laterImages.total)),
      warmupMs: median(runs.map((d) => d.warmupMs)),
    };
  };
  return kinds.flatMap(({ warmUp, build }) => {
    const of = series.filter((c) => c.warmUp === warmUp && c.build === build);
    if (!of.length) return [];
    const again = of.flatMap((c) => (c.secondVisit ? [c.secondVisit] : []));
    return [{ warmUp, build, ...summary(of.map((c) => c.drop)), ...(again.length ? { secondVisit: summary(again) } : {}) }];
  });
}

function dropLines(d: DropToFirstTokenResult, f: (ms: number) => string): string[] {
  const parts = (p: DropParts) => `${f(p.total)} (decode ${f(p.decode)}, preprocess ${f(p.preprocess)}, encode ${f(p.encode)}, prefill ${f(p.prefill)}, first token ${f(p.firstToken)})`;
  return [
    `drop -> first token (sessions ${f(d.sessionCreateMs)}, warm-up ${f(d.warmupMs)} in ${d.warmupRoundsMs.length} rounds, ${d.images} images): first image ${parts(d.firstImage)}`,
    `  later images (median) ${parts(d.laterImages)}; first / later ${d.firstOverLater.toFixed(2)}`,
  ];
}
