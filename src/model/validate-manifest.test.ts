import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InferenceEngine, type EngineHost } from '../worker/engine';
import { ModelLoadError } from '../worker/errors';
import type { ModelManifest } from './manifest';
import { isSafeRelativePath, ManifestValidationError, manifestProblems, MAX_FILE_BYTES, validateManifest } from './validate-manifest';

const tiny = JSON.parse(readFileSync(new URL('../../public/models/cxr-llava-tiny/manifest.json', import.meta.url), 'utf8')) as ModelManifest;

// Typed loosely on purpose: the point is to break the manifest's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

/** A deep copy of the tiny manifest with one change. */
function mutated(change: (m: Loose) => void): unknown {
  const m = structuredClone(tiny) as unknown as Loose;
  change(m);
  return m;
}

const HASH = 'a'.repeat(64);

describe('validateManifest', () => {
  it('accepts the real tiny manifest unchanged', () => {
    expect(manifestProblems(tiny)).toEqual([]);
    expect(validateManifest(tiny)).toBe(tiny);
  });

  const cases: [string, (m: Loose) => void, RegExp][] = [
    ['a wrong schema version', (m) => (m.schemaVersion = 2), /schemaVersion must be 1, got 2/],
    ['a missing id', (m) => delete m.id, /manifest\.id must be a string/],
    ['an id with a path in it', (m) => (m.id = '../x'), /manifest\.id "\.\.\/x" may hold only/],
    ['randomWeights as a string', (m) => (m.randomWeights = 'yes'), /randomWeights must be true or false/],
    ['no license', (m) => delete m.license, /license must be an object/],
    ['imageTokens that do not match the patch grid', (m) => (m.vision.imageTokens = 1000), /vision\.imageTokens is 1000; \(imageSize \/ patchSize\)\^2 = \(512 \/ 16\)\^2 = 1024/],
    ['an image size that is not a multiple of the patch', (m) => (m.vision.imageSize = 500), /500 is not a multiple of vision\.patchSize 16/],
    ['a fractional image size', (m) => (m.vision.imageSize = 512.5), /vision\.imageSize must be an integer/],
    ['outputDim that is not the hidden size', (m) => (m.vision.outputDim = 128), /vision\.outputDim 128 is not decoder\.hiddenSize 64/],
    ['headDim * numHeads != hiddenSize', (m) => (m.decoder.headDim = 32), /decoder\.headDim \* decoder\.numHeads = 32 \* 4 = 128, not decoder\.hiddenSize 64/],
    ['heads not a multiple of kv heads', (m) => (m.decoder.numKeyValueHeads = 3), /numHeads 4 is not a multiple of decoder\.numKeyValueHeads 3/],
    ['a negative layer count', (m) => (m.decoder.numLayers = -1), /decoder\.numLayers is -1; it must be between 1 and 1024/],
    ['an eos id outside the vocabulary', (m) => (m.decoder.eosTokenId = 32000), /decoder\.eosTokenId is 32000; it must be between 0 and 31999/],
    ['a NaN rope theta', (m) => (m.decoder.ropeTheta = null), /decoder\.ropeTheta must be a finite number/],
    ['an unknown architecture', (m) => (m.decoder.architecture = 'gpt2'), /decoder\.architecture must be "llama" \(got "gpt2"\)/],
    ['mean with the wrong length', (m) => (m.vision.mean = [0.5, 0.5, 0.5]), /vision\.mean has 3 values; vision\.channels is 1/],
    ['std with the wrong length', (m) => (m.vision.std = []), /vision\.std has 0 values; vision\.channels is 1/],
    ['a zero std', (m) => (m.vision.std = [0]), /vision\.std values must be greater than 0/],
    ['a negative std', (m) => (m.vision.std = [-0.3]), /vision\.std values must be greater than 0/],
    ['a non-numeric mean', (m) => (m.vision.mean = ['0.5']), /vision\.mean must be a list of numbers/],
    ['a resample other than lanczos', (m) => (m.vision.resample = 'bilinear'), /vision\.resample must be "lanczos"/],
    ['a vision file not listed', (m) => (m.files = m.files.filter((f: { path: string }) => f.path !== 'vision.onnx')), /vision\.onnx\.fp32 "vision\.onnx" is not listed in files/],
    ['an fp16 vision file not listed', (m) => (m.vision.onnx.fp16 = 'vision.f16.onnx'), /vision\.onnx\.fp16 "vision\.f16\.onnx" is not listed/],
    ['a decoder file not listed', (m) => (m.decoder.onnx.decoder = 'other.onnx'), /decoder\.onnx\.decoder "other\.onnx" is not listed in files/],
    ['an embed file not listed', (m) => (m.files = m.files.filter((f: { path: string }) => f.path !== 'embed.onnx')), /decoder\.onnx\.embed "embed\.onnx" is not listed/],
    ['a tokenizer not listed', (m) => (m.tokenizer.json = 'tok.json'), /tokenizer\.json "tok\.json" is not listed in files/],
    ['no decoder at all', (m) => (delete m.decoder.onnx, delete m.decoder.webllm), /decoder has neither an onnx nor a webllm conversion/],
    ['a WebLLM folder without its config', (m) => (m.files = m.files.filter((f: { path: string }) => f.path !== 'mlc-q4f16_1/resolve/main/mlc-chat-config.json')), /decoder\.webllm\.q4f16_1\.modelFolder has no mlc-chat-config\.json listed/],
    ['an unknown quantisation', (m) => (m.decoder.webllm.q3 = {}), /decoder\.webllm\.q3: unknown quantisation/],
    ['a parent path in a referenced file', (m) => (m.vision.onnx.fp32 = '../secret.onnx'), /vision\.onnx\.fp32 "\.\.\/secret\.onnx" must be a relative path inside the model folder/],
    ['an absolute URL for a model file', (m) => (m.decoder.onnx.embed = 'https://evil.example/embed.onnx'), /decoder\.onnx\.embed "https:\/\/evil\.example\/embed\.onnx" must be a relative path/],
    ['an absolute path in files', (m) => (m.files[0].path = '/etc/passwd'), /files "\/etc\/passwd": the path must be relative/],
    ['a percent-encoded parent in files', (m) => (m.files[0].path = '%2e%2e/x.onnx'), /the path must be relative/],
    ['a backslash path in files', (m) => (m.files[0].path = '..\\x.onnx'), /the path must be relative/],
    ['an absolute WebLLM folder', (m) => (m.decoder.webllm.q4f16_1.modelFolder = 'https://cdn.example/m/resolve/main/'), /modelFolder "https:\/\/cdn\.example\/m\/resolve\/main\/" must be a relative folder/],
    ['an http model library', (m) => (m.decoder.webllm.q4f16_1.modelLib = 'http://cdn.example/lib.wasm'), /modelLib "http:\/\/cdn\.example\/lib\.wasm" must be an https URL or a relative path/],
    ['a javascript: model library', (m) => (m.decoder.webllm.q4f16_1.modelLib = 'javascript:alert(1)'), /must be an https URL or a relative path/],
    ['a model library above the folder', (m) => (m.decoder.webllm.q4f16_1.modelLib = '../lib.wasm'), /modelLib "\.\.\/lib\.wasm" must be a relative path inside the model folder/],
    ['a short sha256', (m) => (m.files[0].sha256 = 'abc'), /files "decoder\.onnx": sha256 must be 64 lowercase hex digits/],
    ['an upper-case sha256', (m) => (m.files[0].sha256 = 'A'.repeat(64)), /sha256 must be 64 lowercase hex digits/],
    ['a negative size', (m) => (m.files[0].bytes = -5), /files "decoder\.onnx": bytes must be a whole number of bytes \(got -5\)/],
    ['a fractional size', (m) => (m.files[0].bytes = 1.5), /bytes must be a whole number/],
    ['a size as a string', (m) => (m.files[0].bytes = '100'), /bytes must be a whole number of bytes \(got "100"\)/],
    ['one file above 16 GiB', (m) => (m.files[0].bytes = MAX_FILE_BYTES + 1), /files "decoder\.onnx" is 16\.0 GiB; the limit for one file is 16 GiB/],
    [
      'a model above 64 GiB in total',
      (m) => m.files.push(...[1, 2, 3, 4, 5].map((i) => ({ path: `shard${i}.bin`, bytes: 15 * 2 ** 30, sha256: HASH }))),
      /the files add up to 75\.\d GiB; the limit for a model is 64 GiB/,
    ],
    ['a file listed twice', (m) => m.files.push({ ...m.files[0] }), /files "decoder\.onnx" is listed twice/],
    ['files that are not a list', (m) => (m.files = {}), /files must be a list/],
    ['a prompt without the image placeholder', (m) => (m.prompts.report = 'Write a report.'), /prompts\.report has no <image> placeholder/],
    ['a question prompt without {question}', (m) => (m.prompts.question = '<image>\nWhat?'), /prompts\.question has no \{question\} placeholder/],
    ['a topP above 1', (m) => (m.generation.topP = 1.5), /generation\.topP is 1\.5; it must be above 0 and at most 1/],
    ['a self-check file that is not listed', (m) => (m.selfCheck = 'other.json'), /manifest\.selfCheck "other\.json" is not listed in files/],
    ['a self-check file above the folder', (m) => (m.selfCheck = '../selfcheck.json'), /manifest\.selfCheck "\.\.\/selfcheck\.json" must be a relative path/],
    ['zero max new tokens', (m) => (m.generation.maxNewTokens = 0), /generation\.maxNewTokens is 0/],
  ];

  for (const [what, change, message] of cases) {
    it(`refuses ${what}`, () => {
      const problems = manifestProblems(mutated(change));
      expect(problems.join('\n')).toMatch(message);
      expect(() => validateManifest(mutated(change))).toThrow(ManifestValidationError);
    });
  }

  it('refuses what is not an object', () => {
    for (const v of [null, 1, 'x', []]) expect(manifestProblems(v)).toEqual(['the manifest must be an object']);
  });

  it('accepts an https model library and a relative one', () => {
    expect(manifestProblems(mutated((m) => (m.decoder.webllm.q4f16_1.modelLib = 'https://libs.example/llama.wasm')))).toEqual([]);
    expect(manifestProblems(mutated((m) => (m.decoder.webllm.q4f32_1.modelLib = 'libs/llama-q4f32_1.wasm')))).toEqual([]);
  });

  it('names every problem, and at most eight in the message', () => {
    const err = (() => {
      try {
        validateManifest(mutated((m) => m.files.forEach((f: { sha256: string }) => (f.sha256 = 'x'))));
      } catch (e) {
        return e as ManifestValidationError;
      }
      throw new Error('no error');
    })();
    expect(err.problems).toHaveLength(tiny.files.length);
    expect(err.message).toMatch(/; and \d+ more\.$/);
  });
});

describe('isSafeRelativePath', () => {
  it('accepts paths inside the folder only', () => {
    for (const p of ['vision.onnx', 'mlc-q4f16_1/resolve/main/params_shard_0.bin']) expect(isSafeRelativePath(p), p).toBe(true);
    for (const p of ['', '/a', '../a', 'a/../b', 'a/./b', 'a//b', './a', 'a\\b', '%2e%2e/a', 'http://x/a', 'data:x', 'a?x', 'a#x', 'a\nb', ' a']) {
      expect(isSafeRelativePath(p), JSON.stringify(p)).toBe(false);
    }
    expect(isSafeRelativePath('mlc/resolve/main/', { folder: true })).toBe(true);
    expect(isSafeRelativePath('mlc/resolve/main/')).toBe(false);
  });
});

describe('the inference engine', () => {
  it('refuses an invalid manifest with a ModelLoadError before it downloads anything', async () => {
    const fetched: string[] = [];
    const body = JSON.stringify(mutated((m) => (m.files[0].bytes = 20 * 2 ** 30)));
    const host = {
      fetchFn: (async (url: string) => {
        fetched.push(String(url));
        return new Response(body, { status: 200 });
      }) as unknown as typeof fetch,
      now: () => 0,
      probe: () => Promise.reject(new Error('not reached')),
      loadTokenizers: () => Promise.reject(new Error('not reached')),
      ort: {} as EngineHost['ort'],
    } satisfies EngineHost;
    const err = await new InferenceEngine(host).load({ manifestUrl: 'https://models.example/m/manifest.json' }, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('manifest-invalid');
    expect((err as Error).message).toMatch(/manifest\.json is not a usable model manifest: files "decoder\.onnx" is 20\.0 GiB; the limit for one file is 16 GiB/);
    expect(fetched).toEqual(['https://models.example/m/manifest.json']);
  });
});
