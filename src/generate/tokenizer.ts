import type { ChunkTokenizer } from './image-tokens';
import type { IdDecoder } from './stream-decoder';

/** The subset of @mlc-ai/web-tokenizers' Tokenizer this app uses. */
export interface WebTokenizer {
  encode(text: string): Int32Array;
  decode(ids: Int32Array): string;
  idToToken(id: number): string;
  getVocabSize(): number;
  dispose(): void;
}

export interface WebTokenizerClass {
  fromJSON(json: ArrayBuffer): Promise<WebTokenizer>;
}

/**
 * The decoder of LLaMA's (SentencePiece BPE) tokenizer.json: "▁" becomes a space, <0xNN> tokens
 * become bytes (a run that is not valid UTF-8 gives one U+FFFD per byte), all is joined, and one
 * leading space is dropped. Tokenizers with exactly this decoder are decoded in JS from their
 * pieces; any other goes through web-tokenizers.
 */
const SENTENCEPIECE_DECODER = JSON.stringify({
  type: 'Sequence',
  decoders: [
    { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' },
    { type: 'ByteFallback' },
    { type: 'Fuse' },
    { type: 'Strip', content: ' ', start: 1, stop: 0 },
  ],
});

const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface TokenizerOptions {
  /**
   * transformers' LlamaTokenizer `legacy` flag, from the checkpoint's tokenizer_config.json (the
   * manifest's tokenizer.legacy). true: every text segment, also one right after a special token,
   * gets SentencePiece's dummy prefix "▁" (what tokenizer.json's own pipeline does). false: only
   * the start of the text does, so `<s>[INST]` gives 1, 29961 ("["), not 1, 518 ("▁[").
   */
  legacy?: boolean;
  /** Special tokens by text (tokenizer.json's added_tokens with special: true). */
  specials?: Map<string, number>;
}

/**
 * The tokenizer the model ships (tokenizer.json), through @mlc-ai/web-tokenizers, the library
 * WebLLM itself uses, so both decoder backends tokenise identically. Its `encode` adds no BOS
 * (HF's add_special_tokens=False); `tokenizer(text)` in Python is [BOS, ...encode(text)].
 */
export class TextTokenizer implements ChunkTokenizer, IdDecoder {
  /** Per id, for the JS decoder: the piece with "▁" replaced, or the byte of a <0xNN> token. */
  private readonly pieces: (string | number | undefined)[] | null;
  /** web-tokenizers' getVocabSize takes milliseconds: asked once. */
  private size = -1;
  readonly legacy: boolean;
  private readonly specials: Map<string, number>;
  private readonly specialIds: Set<number>;
  private readonly specialRe: RegExp | null;
  /** The ids of "\n" alone: ["▁", <0x0A>]; see encodeWithoutPrefix. */
  private newlineIds: number[] | null = null;

  constructor(
    private readonly inner: WebTokenizer,
    sentencePieceDecoder = false,
    options: TokenizerOptions = {},
  ) {
    this.pieces = sentencePieceDecoder ? [] : null;
    this.legacy = options.legacy ?? true;
    this.specials = options.specials ?? new Map();
    this.specialIds = new Set(this.specials.values());
    const alternatives = [...this.specials.keys()].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialRe = alternatives.length ? new RegExp(`(${alternatives.join('|')})`) : null;
    if (!this.legacy && !this.specialRe) throw new Error('tokenizer: legacy=false needs the special tokens of tokenizer.json');
  }

  /** True for ids of special tokens (<s>, </s>, <unk>): left out of shown text. */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  encode(text: string): number[] {
    if (this.legacy) return Array.from(this.inner.encode(text));
    // transformers 4.36 LlamaTokenizer.tokenize with legacy=False: "▁" + text (with any "▁" in
    // it read as a space), split on special tokens, each other part encoded WITHOUT a dummy
    // prefix, and a lone leading "▁" dropped when a special token follows it.
    if (!text) return [];
    const ids: number[] = [];
    let leadingLone = false;
    const parts = ('\u2581' + text.replaceAll('\u2581', ' ')).split(this.specialRe!);
    parts.forEach((part, i) => {
      if (!part) return;
      if (i % 2 === 1) {
        ids.push(this.specials.get(part)!);
        return;
      }
      const encoded = this.encodeWithoutPrefix(part);
      if (i === 0 && part === '\u2581') leadingLone = true;
      ids.push(...encoded);
    });
    if (leadingLone && ids.length > 1 && this.specialIds.has(ids[1]!)) ids.shift();
    return ids;
  }

  /**
   * SentencePiece without its dummy prefix. tokenizer.json's pipeline always prepends "▁", so the
   * part goes in behind a "\n": that becomes "▁" + <0x0A>, a byte token that no merge joins to
   * anything, so what follows is encoded exactly as on its own; the two ids are then dropped (the
   * same device as transformers' "<unk>" prefix).
   */
  private encodeWithoutPrefix(part: string): number[] {
    const probe = (this.newlineIds ??= Array.from(this.inner.encode('\n')));
    const ids = Array.from(this.inner.encode('\n' + part));
    if (probe.length !== 2 || ids[0] !== probe[0] || ids[1] !== probe[1]) {
      throw new Error('tokenizer: cannot encode without the dummy prefix (a "\\n" does not give ["▁", <0x0A>])');
    }
    return ids.slice(2);
  }

  /**
   * Text for ids, as the tokenizer's decoder gives it (special tokens included). Generation
   * decodes every step, and a call into the wasm costs far more than the few pieces it joins, so
   * the SentencePiece decoder runs here in JS (the same output: see tokenizer.test.ts).
   */
  decode(ids: number[]): string {
    if (!this.pieces) return this.inner.decode(Int32Array.from(ids));
    let text = '';
    let bytes: number[] | null = null;
    for (const id of ids) {
      const piece = this.piece(id);
      if (piece === undefined) return this.inner.decode(Int32Array.from(ids));
      if (typeof piece === 'number') {
        (bytes ??= []).push(piece);
        continue;
      }
      if (bytes) {
        text += bytesToText(bytes);
        bytes = null;
      }
      text += piece;
    }
    if (bytes) text += bytesToText(bytes);
    return text.startsWith(' ') ? text.slice(1) : text;
  }

  idToToken(id: number): string {
    return this.inner.idToToken(id);
  }

  get vocabSize(): number {
    if (this.size < 0) this.size = this.inner.getVocabSize();
    return this.size;
  }

  dispose(): void {
    this.inner.dispose();
  }

  private piece(id: number): string | number | undefined {
    const pieces = this.pieces!;
    let piece = pieces[id];
    if (piece === undefined) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) return undefined;
      const token = this.inner.idToToken(id);
      // An empty string is what an id without a token gives; leave those to the library.
      if (!token) return undefined;
      piece = BYTE_TOKEN.test(token) ? parseInt(token.slice(3, 5), 16) : token.replaceAll('\u2581', ' ');
      pieces[id] = piece;
    }
    return piece;
  }
}

/** A run of byte tokens: its UTF-8 text, or one U+FFFD per byte when it is not valid UTF-8. */
function bytesToText(bytes: number[]): string {
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return '\uFFFD'.repeat(bytes.length);
  }
}

export async function createTokenizer(
  Tokenizer: WebTokenizerClass,
  json: ArrayBuffer | Uint8Array,
  options: { legacy?: boolean } = {},
): Promise<TextTokenizer> {
  const buffer = json instanceof Uint8Array ? json.slice().buffer : json;
  let spec: { decoder?: unknown; added_tokens?: { id: number; content: string; special?: boolean }[] } = {};
  try {
    spec = JSON.parse(new TextDecoder().decode(buffer)) as typeof spec;
  } catch {
    spec = {};
  }
  const specials = new Map<string, number>();
  for (const t of spec.added_tokens ?? []) if (t.special && typeof t.content === 'string') specials.set(t.content, t.id);
  return new TextTokenizer(await Tokenizer.fromJSON(buffer), JSON.stringify(spec.decoder) === SENTENCEPIECE_DECODER, {
    legacy: options.legacy,
    specials,
  });
}
