import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadWebTokenizersNode } from '../node/web-tokenizers';
import { expandPositions, tokenizeWithImage } from './image-tokens';
import { renderChat } from './prompt';
import { createRng } from './sampler';
import { LLAMA2_TOKENIZER_JSON, llama2Tokenizer } from './test-tokenizer';
import { TextTokenizer } from './tokenizer';

const SYSTEM = 'You are a helpful radiologist. Try to interpret chest x ray image and answer to the question that user provides.';
const REPORT =
  '<image>\nWrite a radiologic report on the given chest radiograph, including information about atelectasis, cardiomegaly, consolidation, pulmonary edema, pleural effusion, and pneumothorax.\n';

describe('LLaMA-2 tokenizer (web-tokenizers + tokenizer.json)', () => {
  it('gives the known LLaMA-2 ids', async () => {
    const t = await llama2Tokenizer();
    expect(t.vocabSize).toBe(32000);
    expect(t.encode('Hello world')).toEqual([15043, 3186]);
    // "[INST]" and "[/INST]" as LLaMA-2 chat prompts tokenise them.
    expect(t.encode('[INST]')).toEqual([518, 25580, 29962]);
    expect(t.encode('a [/INST]')).toEqual([263, 518, 29914, 25580, 29962]);
    // A chunk that starts with a newline gets SentencePiece's dummy prefix "▁" (29871) first.
    expect(t.encode('\nWrite')).toEqual([29871, 13, 6113]);
    // Byte fallback for characters outside the vocabulary.
    expect(t.encode('안녕')).toEqual([29871, 31734, 238, 136, 152]);
    expect(t.decode([15043, 3186])).toBe('Hello world');
  });
});

describe('report prompt token ids (tokenizer_image_token)', () => {
  it('pins the exact sequence: two BOS, system, image, then the question', async () => {
    const t = await llama2Tokenizer();
    const segments = tokenizeWithImage(renderChat(SYSTEM, [{ user: REPORT }]), t, 1);
    expect(segments.map((s) => s.kind)).toEqual(['text', 'image', 'text']);
    const [before, , after] = segments as [{ ids: number[] }, unknown, { ids: number[] }];
    expect(before.ids).toEqual([
      1, 1, 518, 25580, 29962, 3532, 14816, 29903, 6778, 13, 3492, 526, 263, 8444, 17937, 19915, 29889, 3967, 304,
      6613, 521, 342, 921, 15570, 1967, 322, 1234, 304, 278, 1139, 393, 1404, 8128, 29889, 13, 29966, 829, 14816,
      29903, 6778, 13, 13,
    ]);
    expect(after.ids).toEqual([
      29871, 13, 6113, 263, 17937, 1189, 293, 3461, 373, 278, 2183, 521, 342, 17937, 1946, 29892, 3704, 2472, 1048,
      263, 371, 781, 25101, 29892, 5881, 14910, 387, 14997, 29892, 1136, 17211, 362, 29892, 9505, 3712, 653, 1226,
      2603, 29892, 5644, 3631, 1801, 3958, 29892, 322, 282, 29765, 720, 272, 1165, 29889, 518, 29914, 25580, 29962,
    ]);
    expect(expandPositions(segments, 1024)).toHaveLength(before.ids.length + 1024 + after.ids.length);
  });

  it('pins a two-turn chat: the image stays in the first turn, the answer is closed with </s><s>', async () => {
    const t = await llama2Tokenizer();
    const prompt = renderChat(SYSTEM, [{ user: REPORT, assistant: ' No acute findings. ' }, { user: 'Is there a pleural effusion?' }]);
    expect(prompt.endsWith('pneumothorax. [/INST] No acute findings. </s><s>[INST] Is there a pleural effusion? [/INST]')).toBe(true);
    const segments = tokenizeWithImage(prompt, t, 1);
    expect(segments.filter((s) => s.kind === 'image')).toHaveLength(1);
    const tail = (segments[2] as { ids: number[] }).ids.slice(-30);
    // "findings. </s>": the space before </s> becomes a lone "▁" (29871), as in HF's fast LLaMA
    // tokenizer; after <s> the text "[INST]" starts with "▁[" (518).
    expect(tail).toEqual([
      1165, 29889, 518, 29914, 25580, 29962, 1939, 1274, 1082, 1284, 886, 29889, 29871, 2, 1, 518, 25580, 29962, 1317,
      727, 263, 5644, 3631, 1801, 3958, 29973, 518, 29914, 25580, 29962,
    ]);
  });
});

describe('legacy=false (transformers 4.36 LlamaTokenizer): no dummy "▁" after a special token', () => {
  it('gives the known ids', async () => {
    const t = await llama2Tokenizer({ legacy: false });
    expect(t.encode('Hello world')).toEqual([15043, 3186]);
    expect(t.encode('<s>[INST] hi')).toEqual([1, 29961, 25580, 29962, 7251]);
    expect(t.encode('ok </s><s>[INST]')).toEqual([3431, 29871, 2, 1, 29961, 25580, 29962]);
    expect(t.encode('\nWrite')).toEqual([29871, 13, 6113]);
    expect(t.encode('')).toEqual([]);
    // A literal "▁" is read as a space, as transformers does.
    expect(t.encode('a\u2581b')).toEqual(t.encode('a b'));
  });

  it('report prompt and a two-turn chat: "[INST]" after <s> is 29961 ("["), not 518', async () => {
    const t = await llama2Tokenizer({ legacy: false });
    const legacy = await llama2Tokenizer({ legacy: true });
    const report = renderChat(SYSTEM, [{ user: REPORT }]);
    const [before, , after] = tokenizeWithImage(report, t, 1) as [{ ids: number[] }, unknown, { ids: number[] }];
    const [lBefore, , lAfter] = tokenizeWithImage(report, legacy, 1) as [{ ids: number[] }, unknown, { ids: number[] }];
    expect(before.ids.slice(0, 5)).toEqual([1, 1, 29961, 25580, 29962]);
    // Only that one id differs; the chunk after the image is the same in both modes.
    expect(before.ids.slice(3)).toEqual(lBefore.ids.slice(3));
    expect(after.ids).toEqual(lAfter.ids);
    const chat = renderChat(SYSTEM, [{ user: REPORT, assistant: ' No acute findings. ' }, { user: 'Is there a pleural effusion?' }]);
    const tail = (tokenizeWithImage(chat, t, 1)[2] as { ids: number[] }).ids.slice(-30);
    expect(tail).toEqual([
      1165, 29889, 518, 29914, 25580, 29962, 1939, 1274, 1082, 1284, 886, 29889, 29871, 2, 1, 29961, 25580, 29962, 1317,
      727, 263, 5644, 3631, 1801, 3958, 29973, 518, 29914, 25580, 29962,
    ]);
  });

  it('add_bos_token=false / add_eos_token=true change what each chunk carries', async () => {
    const t = await llama2Tokenizer({ legacy: false });
    const noBos = tokenizeWithImage('<s>[INST] a <image>\nb', t, 1, '<image>', { addBos: false });
    expect((noBos[0] as { ids: number[] }).ids.slice(0, 2)).toEqual([1, 29961]);
    // The template's own "<s>" still starts the first chunk with the BOS id, so (as upstream's
    // tokenizer_image_token checks chunk[0][0] == bos) the first id of later chunks, here the
    // dummy "▁", is still dropped.
    expect((noBos[2] as { ids: number[] }).ids).toEqual([13, 29890]);
    const plain = tokenizeWithImage('a <image>\nb', t, 1, '<image>', { addBos: false });
    expect((plain[0] as { ids: number[] }).ids).toEqual([263, 29871]);
    expect((plain[2] as { ids: number[] }).ids).toEqual([29871, 13, 29890]);
    const eos = tokenizeWithImage('a<image>b', t, 1, '<image>', { addEos: true, eosId: 2 });
    expect((eos[0] as { ids: number[] }).ids).toEqual([1, 263, 2]);
    expect((eos[2] as { ids: number[] }).ids).toEqual([289, 2]);
  });
});

describe('both legacy modes against the independent Python tokenizer (models/tokenizer_cases.py)', () => {
  it('gives the same ids on every seeded random text', async () => {
    const file = fileURLToPath(new URL('../../models/tiny/golden/tokenizer-cases.json', import.meta.url));
    const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: { text: string; legacy: number[]; nonLegacy: number[] }[] };
    expect(cases.length).toBeGreaterThanOrEqual(400);
    const legacy = await llama2Tokenizer({ legacy: true });
    const nonLegacy = await llama2Tokenizer({ legacy: false });
    let differ = 0;
    for (const c of cases) {
      expect(legacy.encode(c.text), JSON.stringify(c.text)).toEqual(c.legacy);
      expect(nonLegacy.encode(c.text), JSON.stringify(c.text)).toEqual(c.nonLegacy);
      if (JSON.stringify(c.legacy) !== JSON.stringify(c.nonLegacy)) differ++;
    }
    // The cases exercise the difference, not only the common ground.
    expect(differ).toBeGreaterThan(cases.length / 4);
  });
});

describe('JS SentencePiece decode', () => {
  it('gives exactly what web-tokenizers gives: every id alone, and mixed runs of pieces, byte tokens and specials', async () => {
    const fast = await llama2Tokenizer();
    const json = readFileSync(LLAMA2_TOKENIZER_JSON);
    const inner = await loadWebTokenizersNode().fromJSON(json.slice().buffer);
    const wasm = new TextTokenizer(inner);
    try {
      for (let id = 0; id < fast.vocabSize; id++) {
        if (fast.decode([id]) !== wasm.decode([id])) throw new Error(`id ${id}: ${JSON.stringify(fast.decode([id]))} vs ${JSON.stringify(wasm.decode([id]))}`);
      }
      const rng = createRng(11);
      const pick = () => {
        const r = rng();
        // Byte tokens (<0x00>..<0xFF> are ids 3..258), specials, the lone "▁", anything.
        if (r < 0.45) return 3 + Math.floor(rng() * 256);
        if (r < 0.5) return Math.floor(rng() * 3);
        if (r < 0.6) return 29871;
        return Math.floor(rng() * 32000);
      };
      for (let k = 0; k < 3000; k++) {
        const ids = Array.from({ length: 1 + Math.floor(rng() * 12) }, pick);
        expect(fast.decode(ids), JSON.stringify(ids)).toBe(wasm.decode(ids));
      }
      // Valid multi-byte characters from byte tokens (Hangul, emoji, a BOM), and text round trips.
      for (const text of ['안녕 ✓ émigré 😀', '\uFEFFstart', ' two  spaces\n\nand tabs\t.', 'No acute cardiopulmonary abnormality.']) {
        const ids = fast.encode(text);
        expect(fast.decode(ids)).toBe(wasm.decode(ids));
        expect(fast.decode([1, ...ids, 2])).toBe(wasm.decode([1, ...ids, 2]));
      }
      expect(fast.decode([242, 190, 194, 450])).toBe(wasm.decode([242, 190, 194, 450]));
    } finally {
      inner.dispose();
    }
  }, 60_000);
});
