/**
 * A model manifest is untrusted input: it may come from any host VITE_CXR_MODEL_URL points at.
 * validateManifest checks a parsed manifest against manifest.ts's types and the shapes' own rules
 * before anything is downloaded, and says what is wrong in words a user can act on.
 */
import type { ModelManifest } from './manifest';

/** A single model file above this is refused (the 7B fp16 ONNX decoder would be ~13.5 GB). */
export const MAX_FILE_BYTES = 16 * 2 ** 30;
/** All files of a manifest together above this are refused. */
export const MAX_TOTAL_BYTES = 64 * 2 ** 30;
/** More files than this is not a model folder. */
export const MAX_FILES = 10_000;

export class ManifestValidationError extends Error {
  override name = 'ManifestValidationError';
  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, 8);
    super(`${shown.join('; ')}${problems.length > shown.length ? `; and ${problems.length - shown.length} more` : ''}.`);
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const GiB = (n: number) => `${n / 2 ** 30} GiB`;

/**
 * A path inside the model folder: relative, '/'-separated, no '..' or '.' segments, no scheme or
 * host, and nothing the URL parser would reinterpret (backslashes, '%', '?', '#', control chars).
 */
export function isSafeRelativePath(p: string, { folder = false } = {}): boolean {
  if (!p || p.length > 512) return false;
  if (/[\\%?#]/.test(p) || [...p].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return false;
  if (p.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(p)) return false;
  const segments = (folder && p.endsWith('/') ? p.slice(0, -1) : p).split('/');
  return segments.every((s) => s !== '' && s !== '.' && s !== '..' && s.trim() === s);
}

class Checker {
  readonly problems: string[] = [];

  fail(message: string): void {
    this.problems.push(message);
  }

  obj(v: unknown, path: string): Json | null {
    if (isObject(v)) return v;
    this.fail(`${path} must be an object`);
    return null;
  }

  str(o: Json, key: string, path: string, { nonEmpty = false, max = 100_000 } = {}): string | null {
    const v = o[key];
    if (typeof v !== 'string') {
      this.fail(`${path}.${key} must be a string`);
      return null;
    }
    if (nonEmpty && !v.trim()) this.fail(`${path}.${key} must not be empty`);
    if (v.length > max) this.fail(`${path}.${key} is longer than ${max} characters`);
    return v;
  }

  optStr(o: Json, key: string, path: string): string | null | undefined {
    return o[key] === undefined ? undefined : this.str(o, key, path, { nonEmpty: true });
  }

  bool(o: Json, key: string, path: string): void {
    if (typeof o[key] !== 'boolean') this.fail(`${path}.${key} must be true or false`);
  }

  int(o: Json, key: string, path: string, min: number, max: number): number | null {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.fail(`${path}.${key} must be an integer`);
      return null;
    }
    if (v < min || v > max) {
      this.fail(`${path}.${key} is ${v}; it must be between ${min} and ${max}`);
      return null;
    }
    return v;
  }

  num(o: Json, key: string, path: string, ok: (n: number) => boolean, rule: string): number | null {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(`${path}.${key} must be a finite number`);
      return null;
    }
    if (!ok(v)) {
      this.fail(`${path}.${key} is ${v}; it must be ${rule}`);
      return null;
    }
    return v;
  }

  literal(o: Json, key: string, path: string, allowed: readonly unknown[]): void {
    if (!allowed.includes(o[key])) {
      this.fail(`${path}.${key} must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')} (got ${JSON.stringify(o[key]) ?? 'nothing'})`);
    }
  }

  /** A file path inside the model folder; the file must be listed in `files`. */
  ref(o: Json, key: string, path: string, listed: Set<string>, optional = false): void {
    if (optional && o[key] === undefined) return;
    const p = this.str(o, key, path, { nonEmpty: true });
    if (p === null || !p) return;
    if (!isSafeRelativePath(p)) {
      this.fail(`${path}.${key} "${p}" must be a relative path inside the model folder (no "..", no absolute URL)`);
    } else if (!listed.has(p)) {
      this.fail(`${path}.${key} "${p}" is not listed in files (every model file needs its size and sha256)`);
    }
  }
}

function checkFiles(c: Checker, value: unknown): Set<string> {
  const listed = new Set<string>();
  if (!Array.isArray(value)) {
    c.fail('files must be a list of {path, bytes, sha256}');
    return listed;
  }
  if (value.length > MAX_FILES) c.fail(`files lists ${value.length} files; the limit is ${MAX_FILES}`);
  let total = 0;
  value.slice(0, MAX_FILES).forEach((f, i) => {
    const at = `files[${i}]`;
    const o = c.obj(f, at);
    if (!o) return;
    const p = c.str(o, 'path', at, { nonEmpty: true });
    const name = p ? `files "${p}"` : at;
    if (p !== null && p) {
      if (!isSafeRelativePath(p)) c.fail(`${name}: the path must be relative to the manifest's folder (no "..", no leading "/", no URL)`);
      if (listed.has(p)) c.fail(`${name} is listed twice`);
      listed.add(p);
    }
    const bytes = o.bytes;
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
      c.fail(`${name}: bytes must be a whole number of bytes (got ${JSON.stringify(bytes) ?? 'nothing'})`);
    } else {
      if (bytes > MAX_FILE_BYTES) c.fail(`${name} is ${(bytes / 2 ** 30).toFixed(1)} GiB; the limit for one file is ${GiB(MAX_FILE_BYTES)}`);
      total += bytes;
    }
    if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) {
      c.fail(`${name}: sha256 must be 64 lowercase hex digits`);
    }
  });
  if (total > MAX_TOTAL_BYTES) c.fail(`the files add up to ${(total / 2 ** 30).toFixed(1)} GiB; the limit for a model is ${GiB(MAX_TOTAL_BYTES)}`);
  return listed;
}

function checkVision(c: Checker, value: unknown, listed: Set<string>): { outputDim: number | null } {
  const v = c.obj(value, 'vision');
  if (!v) return { outputDim: null };
  const onnx = c.obj(v.onnx, 'vision.onnx');
  if (onnx) {
    c.ref(onnx, 'fp32', 'vision.onnx', listed);
    c.ref(onnx, 'fp16', 'vision.onnx', listed, true);
  }
  c.str(v, 'inputName', 'vision', { nonEmpty: true, max: 256 });
  c.str(v, 'outputName', 'vision', { nonEmpty: true, max: 256 });
  const imageSize = c.int(v, 'imageSize', 'vision', 1, 4096);
  const channels = c.int(v, 'channels', 'vision', 1, 4);
  const patchSize = c.int(v, 'patchSize', 'vision', 1, 1024);
  const imageTokens = c.int(v, 'imageTokens', 'vision', 1, 65_536);
  const outputDim = c.int(v, 'outputDim', 'vision', 1, 65_536);
  if (imageSize !== null && patchSize !== null) {
    if (imageSize % patchSize !== 0) c.fail(`vision.imageSize ${imageSize} is not a multiple of vision.patchSize ${patchSize}`);
    else if (imageTokens !== null && imageTokens !== (imageSize / patchSize) ** 2) {
      c.fail(`vision.imageTokens is ${imageTokens}; (imageSize / patchSize)^2 = (${imageSize} / ${patchSize})^2 = ${(imageSize / patchSize) ** 2}`);
    }
  }
  for (const key of ['mean', 'std'] as const) {
    const arr = v[key];
    if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      c.fail(`vision.${key} must be a list of numbers`);
      continue;
    }
    if (channels !== null && arr.length !== channels) c.fail(`vision.${key} has ${arr.length} values; vision.channels is ${channels}`);
    if (key === 'std' && arr.some((x: number) => !(x > 0))) c.fail('vision.std values must be greater than 0');
  }
  c.literal(v, 'resample', 'vision', ['lanczos']);
  return { outputDim };
}

function checkDecoder(c: Checker, value: unknown, listed: Set<string>): { hiddenSize: number | null } {
  const d = c.obj(value, 'decoder');
  if (!d) return { hiddenSize: null };
  const p = 'decoder';
  c.literal(d, 'architecture', p, ['llama']);
  const hiddenSize = c.int(d, 'hiddenSize', p, 1, 65_536);
  c.int(d, 'numLayers', p, 1, 1024);
  const numHeads = c.int(d, 'numHeads', p, 1, 1024);
  const kvHeads = c.int(d, 'numKeyValueHeads', p, 1, 1024);
  const headDim = c.int(d, 'headDim', p, 1, 4096);
  c.int(d, 'intermediateSize', p, 1, 1_048_576);
  const vocabSize = c.int(d, 'vocabSize', p, 1, 4_194_304);
  c.num(d, 'rmsNormEps', p, (n) => n > 0 && n < 1, 'between 0 and 1');
  c.num(d, 'ropeTheta', p, (n) => n > 0, 'greater than 0');
  c.int(d, 'contextLength', p, 1, 1_048_576);
  if (headDim !== null && numHeads !== null && hiddenSize !== null && headDim * numHeads !== hiddenSize) {
    c.fail(`decoder.headDim * decoder.numHeads = ${headDim} * ${numHeads} = ${headDim * numHeads}, not decoder.hiddenSize ${hiddenSize}`);
  }
  if (numHeads !== null && kvHeads !== null && numHeads % kvHeads !== 0) {
    c.fail(`decoder.numHeads ${numHeads} is not a multiple of decoder.numKeyValueHeads ${kvHeads}`);
  }
  for (const key of ['bosTokenId', 'eosTokenId']) c.int(d, key, p, 0, vocabSize !== null ? vocabSize - 1 : 4_194_303);
  if (d.onnx === undefined && d.webllm === undefined) c.fail('decoder has neither an onnx nor a webllm conversion');
  if (d.onnx !== undefined) {
    const o = c.obj(d.onnx, 'decoder.onnx');
    if (o) {
      c.ref(o, 'embed', 'decoder.onnx', listed);
      c.ref(o, 'decoder', 'decoder.onnx', listed);
      c.literal(o, 'dtype', 'decoder.onnx', ['float32', 'float16']);
    }
  }
  if (d.webllm !== undefined) {
    const w = c.obj(d.webllm, 'decoder.webllm');
    for (const [quant, spec] of Object.entries(w ?? {})) {
      const at = `decoder.webllm.${quant}`;
      if (quant !== 'q4f16_1' && quant !== 'q4f32_1') {
        c.fail(`${at}: unknown quantisation (q4f16_1 or q4f32_1)`);
        continue;
      }
      const s = c.obj(spec, at);
      if (!s) continue;
      const folder = c.str(s, 'modelFolder', at, { nonEmpty: true });
      if (folder) {
        if (!isSafeRelativePath(folder, { folder: true })) {
          c.fail(`${at}.modelFolder "${folder}" must be a relative folder inside the model folder (no "..", no absolute URL)`);
        } else {
          const dir = folder.endsWith('/') ? folder : `${folder}/`;
          for (const name of ['mlc-chat-config.json', 'tensor-cache.json']) {
            if (!listed.has(dir + name)) c.fail(`${at}.modelFolder has no ${name} listed in files`);
          }
        }
      }
      const lib = c.str(s, 'modelLib', at);
      if (lib) checkModelLib(c, lib, `${at}.modelLib`);
      c.int(s, 'contextWindow', at, 1, 1_048_576);
      c.int(s, 'prefillChunkSize', at, 1, 1_048_576);
      c.num(s, 'vramBytes', at, (n) => n >= 0, 'at least 0');
    }
  }
  return { hiddenSize };
}

/** The compiled WebLLM library: an https URL (the only absolute URL a manifest may hold), or a relative path. */
function checkModelLib(c: Checker, lib: string, at: string): void {
  if (/^[a-z][a-z0-9+.-]*:/i.test(lib) || lib.startsWith('//')) {
    let url: URL | null = null;
    try {
      url = new URL(lib);
    } catch {
      // reported below
    }
    if (!url || url.protocol !== 'https:' || url.username || url.password) c.fail(`${at} "${lib.slice(0, 80)}" must be an https URL or a relative path`);
  } else if (!isSafeRelativePath(lib)) {
    c.fail(`${at} "${lib.slice(0, 80)}" must be a relative path inside the model folder (no "..") or an https URL`);
  }
}

/** Every problem found, empty when the manifest is usable. */
export function manifestProblems(value: unknown): string[] {
  const c = new Checker();
  const m = c.obj(value, 'the manifest');
  if (!m) return c.problems;
  if (m.schemaVersion !== 1) {
    c.fail(`not a CXR-LLaVA model manifest (schemaVersion must be 1, got ${JSON.stringify(m.schemaVersion) ?? 'nothing'})`);
    return c.problems;
  }
  const id = c.str(m, 'id', 'manifest', { nonEmpty: true, max: 128 });
  if (id && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) c.fail(`manifest.id "${id}" may hold only letters, digits, ".", "_" and "-"`);
  c.str(m, 'name', 'manifest', { nonEmpty: true, max: 200 });
  c.bool(m, 'randomWeights', 'manifest');
  c.str(m, 'description', 'manifest');
  const license = c.obj(m.license, 'license');
  if (license) {
    c.str(license, 'name', 'license', { nonEmpty: true });
    c.str(license, 'text', 'license');
  }
  const source = c.obj(m.source, 'source');
  if (source) for (const k of ['checkpoint', 'converter', 'createdAt']) c.str(source, k, 'source');

  const listed = checkFiles(c, m.files);
  const { outputDim } = checkVision(c, m.vision, listed);
  const { hiddenSize } = checkDecoder(c, m.decoder, listed);
  if (outputDim !== null && hiddenSize !== null && outputDim !== hiddenSize) {
    c.fail(`vision.outputDim ${outputDim} is not decoder.hiddenSize ${hiddenSize} (each image row is one decoder embedding)`);
  }

  const tokenizer = c.obj(m.tokenizer, 'tokenizer');
  if (tokenizer) {
    c.ref(tokenizer, 'json', 'tokenizer', listed);
    c.ref(tokenizer, 'sentencepiece', 'tokenizer', listed, true);
    for (const k of ['legacy', 'addBosToken', 'addEosToken']) {
      if (typeof tokenizer[k] !== 'boolean') {
        c.fail(`tokenizer.${k} must be true or false (from the checkpoint's tokenizer_config.json; convert the model again with models/convert.py)`);
      }
    }
  }
  c.ref(m, 'selfCheck', 'manifest', listed, true);
  const prompts = c.obj(m.prompts, 'prompts');
  if (prompts) {
    c.literal(prompts, 'imageToken', 'prompts', ['<image>']);
    c.str(prompts, 'system', 'prompts');
    for (const k of ['report', 'differential', 'question']) {
      const text = c.str(prompts, k, 'prompts', { nonEmpty: true });
      if (text && !text.includes('<image>')) c.fail(`prompts.${k} has no <image> placeholder`);
    }
    if (typeof prompts.question === 'string' && !prompts.question.includes('{question}')) c.fail('prompts.question has no {question} placeholder');
  }
  const gen = c.obj(m.generation, 'generation');
  if (gen) {
    c.num(gen, 'temperature', 'generation', (n) => n >= 0 && n <= 10, 'between 0 and 10');
    c.num(gen, 'topP', 'generation', (n) => n > 0 && n <= 1, 'above 0 and at most 1');
    c.int(gen, 'maxNewTokens', 'generation', 1, 1_048_576);
    c.int(gen, 'topK', 'generation', 0, 1_048_576);
  }
  return c.problems;
}

/** The manifest, typed, or a ManifestValidationError that lists what is wrong. */
export function validateManifest(value: unknown): ModelManifest {
  const problems = manifestProblems(value);
  if (problems.length) throw new ManifestValidationError(problems);
  return value as ModelManifest;
}
