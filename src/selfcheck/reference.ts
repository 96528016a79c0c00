/**
 * selfcheck.json (written by models/selfcheck.py): what a correct runtime produces for the sample
 * radiograph, computed in PyTorch on the checkpoint's own weights. Untrusted input like the
 * manifest, so it is checked before use.
 */

/** One decoder's greedy run on the report prompt. */
export interface DecoderReference {
  tokens: number[];
  /** Top-2 logit margin of each step (logit of the chosen token minus the runner-up's). */
  margins: number[];
  weights: string;
}

export interface SelfCheckReference {
  schemaVersion: 1;
  image: { url: string; bytes: number; sha256: string };
  pixels: { count: number; mean: number; std: number };
  vision: { rows: number; dim: number; norms: number[]; sampleIndices: number[]; samples: number[][] };
  prompt: { preset: 'report'; ids: number[]; imageTokenId: number };
  steps: number;
  eosTokenId: number;
  /** "checkpoint" (what the ONNX decoder runs) and one per MLC variant ("q4f16_1", "q4f32_1"). */
  decoders: Record<string, DecoderReference>;
}

const isNumArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** The record, or an Error naming what is wrong with it. */
export function parseSelfCheck(text: string): SelfCheckReference {
  let r: SelfCheckReference;
  try {
    r = JSON.parse(text) as SelfCheckReference;
  } catch {
    throw new Error('selfcheck.json is not JSON');
  }
  const problems: string[] = [];
  if (r?.schemaVersion !== 1) problems.push('schemaVersion must be 1');
  if (typeof r?.image?.sha256 !== 'string' || typeof r.image.url !== 'string') problems.push('image needs url and sha256');
  if (typeof r?.pixels?.mean !== 'number' || typeof r.pixels.std !== 'number') problems.push('pixels needs mean and std');
  const v = r?.vision;
  if (!v || !isNumArray(v.norms) || v.norms.length !== v.rows || !isNumArray(v.sampleIndices) || !Array.isArray(v.samples)) {
    problems.push('vision needs rows, norms (one per row), sampleIndices and samples');
  } else if (v.samples.length !== v.sampleIndices.length || v.samples.some((s) => !isNumArray(s) || s.length !== v.dim) || v.sampleIndices.some((i) => i < 0 || i >= v.rows)) {
    problems.push('vision.samples must be one row of vision.dim values per sample index');
  }
  if (!isNumArray(r?.prompt?.ids)) problems.push('prompt.ids must be a list of token ids');
  if (!r?.decoders || typeof r.decoders !== 'object') problems.push('decoders is missing');
  else {
    for (const [name, d] of Object.entries(r.decoders)) {
      if (!isNumArray(d?.tokens) || !isNumArray(d.margins) || d.tokens.length !== d.margins.length) problems.push(`decoders.${name} needs tokens and one margin per token`);
    }
  }
  if (problems.length) throw new Error(`selfcheck.json is not usable: ${problems.join('; ')}`);
  return r;
}
