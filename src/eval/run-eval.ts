/**
 * Batch evaluation in Node: a report for every image of a folder (one engine, resumable),
 * CheXpert-style labels for the generated and the reference reports, and the paper's metrics.
 *
 * Files under --out:
 *   generated.jsonl  one {image, report, promptTokens, newTokens, seconds} per line, appended as
 *                    each image finishes; a rerun skips the images already there.
 *   labels.csv       image, source (generated | reference), then the 14 CheXpert columns
 *                    (1 / 0 / -1 / blank).
 *   checks.csv       what the sign form would say of each draft: critical results, Findings and
 *                    Impression that disagree, blanks (draft-checks.ts).
 *   metrics.json     per-finding n, confusion, accuracy, sensitivity, specificity, F1 with
 *                    bootstrap 95% CIs, macro F1, the drafts' checks (only with a reference).
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CapabilityReport } from '../capabilities/types';
import { nodeEngineHost } from '../node/engine-host';
import { loadOrtForNode } from '../node/ort-node';
import type { GrayDecoder, GrayImage } from '../preprocess/types';
import { InferenceEngine } from '../worker/engine';
import type { CompleteInfo, GenerateOptions } from '../worker/protocol';
import { labelReport, OBSERVATIONS, PAPER_FINDINGS, type Label, type LabelVector } from './chexpert-labeler';
import { toCsv } from './csv';
import { checkDraft, draftCheckRows, formatDraftChecks, summarizeDraftChecks, type DraftCheckSummary } from './draft-checks';
import type { EvalOptions } from './eval-args';
import { IMAGE_EXTENSIONS, listImages, readGenerated, readIndications, readReferenceLabels, readReferenceReports, type GeneratedRecord, type ReferenceIndex } from './eval-inputs';
import { computeMetrics, formatMetricsTable, type MetricsResult, type StudyLabels } from './metrics';

// ---------------------------------------------------------------------------------------------
// Generation

export interface ReportGenerator {
  /** What runs it, for the log (runtime, provider). */
  readonly description: string;
  generate(image: GrayImage): Promise<{ report: string; promptTokens: number; newTokens: number }>;
  dispose(): Promise<void>;
}

export type GeneratorFactory = (opts: EvalOptions, log: (line: string) => void) => Promise<ReportGenerator>;

export function generateOptions(opts: Pick<EvalOptions, 'greedy' | 'maxNewTokens' | 'seed'>): GenerateOptions {
  return {
    preset: 'report',
    // The reference's report defaults; --greedy is its do_sample=False.
    temperature: opts.greedy ? 0 : 0.2,
    topP: opts.greedy ? 1 : 0.8,
    ...(opts.maxNewTokens !== undefined ? { maxNewTokens: opts.maxNewTokens } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
}

function wasmOnlyCaps(note: string): CapabilityReport {
  return {
    host: 'node',
    userAgent: `node ${process.version}; ${note}`,
    webgpu: { available: false, reason: 'wasm was chosen' },
    wasmThreads: true,
    crossOriginIsolated: true,
    logicalCores: availableParallelism(),
    storage: null,
  };
}

/** The app's InferenceEngine in Node (Dawn WebGPU or ORT wasm), as `report` builds it. */
export const createEngineGenerator: GeneratorFactory = async (opts, log) => {
  const { ort, provider, note } = await loadOrtForNode(opts.ep);
  if (opts.threads !== undefined) ort.env.wasm.numThreads = opts.threads;
  const host = nodeEngineHost(ort);
  // With wasm forced, skip the Dawn probe: the engine asks it only about WebGPU.
  if (provider === 'wasm') host.probe = async () => wasmOnlyCaps(note);
  const engine = new InferenceEngine(host);
  const manifestUrl = pathToFileURL(path.resolve(opts.model, 'manifest.json')).href;
  const info = await engine.load({ manifestUrl, executionProvider: provider }, () => {});
  log(`model ${info.modelName}: decoder ${info.backend}; vision ${info.visionProvider} ${info.visionDtype} (${note}); loaded in ${(info.loadMs / 1000).toFixed(1)} s`);
  const options = generateOptions(opts);
  return {
    description: `${info.backend}; vision ${info.visionProvider} ${info.visionDtype}`,
    async generate(image) {
      await engine.encode(image);
      let done: CompleteInfo | null = null;
      await engine.generate(options, (r) => {
        if (r.kind === 'complete') done = r.info;
      });
      const c = done as CompleteInfo | null;
      if (!c) throw new Error('generation ended without a result');
      return { report: c.text.trim(), promptTokens: c.promptTokens, newTokens: c.tokenIds.length };
    },
    dispose: () => engine.dispose(),
  };
};

// ---------------------------------------------------------------------------------------------
// The run

export interface EvalIo {
  /** Progress and notes (stderr in the CLI). */
  log(line: string): void;
  /** Results (stdout in the CLI). */
  print(line: string): void;
}

export const consoleIo: EvalIo = {
  log: (line) => process.stderr.write(line + '\n'),
  print: (line) => process.stdout.write(line + '\n'),
};

export interface EvalSummary {
  selected: number;
  generated: number;
  skipped: number;
  failed: { image: string; error: string }[];
  labeled: number;
  /** Studies with both a generated report and a reference. */
  evaluated: number;
  unmatched: string[];
  metrics: MetricsResult | null;
  draftChecks: DraftCheckSummary | null;
}

const labelCells = (v: LabelVector) => OBSERVATIONS.map((o) => (v[o] === null ? '' : String(v[o])));

async function readModelInfo(model: string): Promise<{ path: string; id?: string; name?: string; randomWeights?: boolean }> {
  try {
    const m = JSON.parse(await readFile(path.join(model, 'manifest.json'), 'utf8')) as { id?: string; name?: string; randomWeights?: boolean };
    return { path: model, id: m.id, name: m.name, randomWeights: m.randomWeights };
  } catch {
    return { path: model };
  }
}

const secs = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

export async function runEval(opts: EvalOptions, decode: GrayDecoder, io: EvalIo = consoleIo, makeGenerator: GeneratorFactory = createEngineGenerator): Promise<EvalSummary> {
  // Read the references first: a broken CSV should fail before hours of generation.
  const refLabels = opts.labels ? await readReferenceLabels(opts.labels) : null;
  const refReports = !refLabels && opts.reports ? await readReferenceReports(opts.reports) : null;
  if (opts.labels && opts.reports) io.log('note: --labels and --reports both given; the labels are the reference');
  // The reason for each study, where a reference gives one: the drafts are checked against it.
  let indications: ReferenceIndex<string> | null = null;
  for (const file of [opts.labels, opts.reports]) if (file && !indications) indications = await readIndications(file);

  const all = await listImages(opts.images);
  const selected = opts.limit !== undefined ? all.slice(0, opts.limit) : all;
  if (all.length === 0) io.log(`note: no images (${IMAGE_EXTENSIONS.join(' ')}) under ${opts.images}`);

  await mkdir(opts.out, { recursive: true });
  const jsonl = path.join(opts.out, 'generated.jsonl');
  const records = await readGenerated(jsonl, io.log);
  const pending = selected.filter((id) => !records.has(id));
  const summary: EvalSummary = { selected: selected.length, generated: 0, skipped: selected.length - pending.length, failed: [], labeled: 0, evaluated: 0, unmatched: [], metrics: null, draftChecks: null };
  if (summary.skipped) io.log(`${summary.skipped} of ${selected.length} image(s) already in ${jsonl}; skipping them`);

  if (pending.length) {
    const generator = await makeGenerator(opts, io.log);
    const t0 = performance.now();
    try {
      for (const [k, id] of pending.entries()) {
        const start = performance.now();
        try {
          const file = path.join(opts.images, ...id.split('/'));
          const image = await decode(new Uint8Array(await readFile(file)), path.basename(file));
          const r = await generator.generate(image);
          const seconds = Math.round(performance.now() - start) / 1000;
          const record: GeneratedRecord = { image: id, report: r.report, promptTokens: r.promptTokens, newTokens: r.newTokens, seconds };
          await appendFile(jsonl, JSON.stringify(record) + '\n');
          records.set(id, record);
          summary.generated++;
          const elapsed = (performance.now() - t0) / 1000;
          const eta = (elapsed / (k + 1)) * (pending.length - k - 1);
          io.log(`[${k + 1}/${pending.length}] ${id}: ${r.newTokens} tokens in ${secs(seconds)}${k + 1 < pending.length ? `; ETA ${secs(eta)}` : ''}`);
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          summary.failed.push({ image: id, error });
          io.log(`[${k + 1}/${pending.length}] ${id}: FAILED: ${error}`);
        }
      }
    } finally {
      await generator.dispose();
    }
  }

  // Labels, in image order.
  const done = selected.filter((id) => records.has(id));
  const rows: string[][] = [['image', 'source', ...OBSERVATIONS]];
  const studies: StudyLabels[] = [];
  const generatedLabels: LabelVector[] = [];
  for (const id of done) {
    const generated = labelReport(records.get(id)!.report);
    generatedLabels.push(generated);
    rows.push([id, 'generated', ...labelCells(generated)]);
    let reference: LabelVector | undefined;
    if (refLabels) reference = refLabels.find(id);
    else if (refReports) {
      const text = refReports.find(id);
      if (text !== undefined) reference = labelReport(text);
    }
    if (reference) {
      rows.push([id, 'reference', ...labelCells(reference)]);
      studies.push({ id, reference, generated });
    } else if (refLabels || refReports) summary.unmatched.push(id);
  }
  summary.labeled = done.length;
  await writeFile(path.join(opts.out, 'labels.csv'), toCsv(rows));
  const checks = done.map((id) => checkDraft(id, records.get(id)!.report, indications?.find(id)));
  await writeFile(path.join(opts.out, 'checks.csv'), toCsv(draftCheckRows(checks)));
  summary.draftChecks = summarizeDraftChecks(checks);

  const model = await readModelInfo(opts.model);
  if (model.randomWeights) io.log(`note: the model (${model.name ?? opts.model}) has random weights: its reports and scores are meaningless.`);
  if (summary.unmatched.length) {
    const show = summary.unmatched.slice(0, 5).join(', ');
    io.log(`note: ${summary.unmatched.length} image(s) have no reference row: ${show}${summary.unmatched.length > 5 ? ', ...' : ''}`);
  }

  if (refLabels || refReports) {
    const metrics = computeMetrics(studies, { samples: opts.bootstrap, seed: opts.bootstrapSeed });
    summary.evaluated = studies.length;
    summary.metrics = metrics;
    const json = {
      model,
      generation: { ...generateOptions(opts), greedy: opts.greedy },
      reference: refLabels ? { kind: 'labels', file: opts.labels } : { kind: 'reports', file: opts.reports, labeler: 'src/eval/chexpert-labeler.ts' },
      labeler: 'CheXpert-style rule labeler (src/eval/chexpert-labeler.ts); definite labels only',
      images: { selected: selected.length, withReport: done.length, evaluated: studies.length, unmatched: summary.unmatched },
      ...metrics,
      draftChecks: summary.draftChecks,
      paperReported: {
        source: 'CXR-LLaVA (Eur Radiol 2024; arXiv 2310.18341)',
        mimicInternalAverageF1: { value: 0.81, findings: PAPER_FINDINGS, images: 3000 },
        indianaExternalAverageF1: { journal: 0.56, arxivV3SevenFindings: 0.62, images: 3689 },
      },
    };
    await writeFile(path.join(opts.out, 'metrics.json'), JSON.stringify(json, null, 2) + '\n');
    io.print(`${studies.length} studies with a generated report and a reference; bootstrap ${metrics.bootstrap.samples} x (seed ${metrics.bootstrap.seed})`);
    io.print(formatMetricsTable(metrics));
    io.print(`paper: average F1 0.81 on MIMIC (${PAPER_FINDINGS.join(', ')}), 0.56 on Indiana`);
  } else {
    io.print(formatLabelCounts(generatedLabels));
  }
  io.print(formatDraftChecks(summary.draftChecks));
  io.log(`wrote ${jsonl}, ${path.join(opts.out, 'labels.csv')}, ${path.join(opts.out, 'checks.csv')}${summary.metrics ? `, ${path.join(opts.out, 'metrics.json')}` : ''}`);
  if (summary.failed.length) io.log(`${summary.failed.length} image(s) failed; rerun to retry them`);
  return summary;
}

/** Without a reference: how often the generated reports call each finding positive / negative / uncertain. */
export function formatLabelCounts(labels: readonly LabelVector[]): string {
  const header = ['finding', 'positive', 'negative', 'uncertain', 'not mentioned'];
  const rows = OBSERVATIONS.map((o) => {
    const count = (v: Label) => String(labels.filter((l) => l[o] === v).length);
    return [o, count(1), count(0), count(-1), count(null)];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`labels of ${labels.length} generated report(s)`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
