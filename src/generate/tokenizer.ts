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

  constructor(
    private readonly inner: WebTokenizer,
    sentencePieceDecoder = false,
  ) {
    this.pieces = sentencePieceDecoder ? [] : null;
  }

  encode(text: string): number[] {
    return Array.from(this.inner.encode(text));
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

export async function createTokenizer(Tokenizer: WebTokenizerClass, json: ArrayBuffer | Uint8Array): Promise<TextTokenizer> {
  const buffer = json instanceof Uint8Array ? json.slice().buffer : json;
  let decoder: unknown;
  try {
    decoder = (JSON.parse(new TextDecoder().decode(buffer)) as { decoder?: unknown }).decoder;
  } catch {
    decoder = undefined;
  }
  return new TextTokenizer(await Tokenizer.fromJSON(buffer), JSON.stringify(decoder) === SENTENCEPIECE_DECODER);
}
