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
 * The tokenizer the model ships (tokenizer.json), through @mlc-ai/web-tokenizers, the library
 * WebLLM itself uses, so both decoder backends tokenise identically. Its `encode` adds no BOS
 * (HF's add_special_tokens=False); `tokenizer(text)` in Python is [BOS, ...encode(text)].
 */
export class TextTokenizer implements ChunkTokenizer, IdDecoder {
  constructor(private readonly inner: WebTokenizer) {}

  encode(text: string): number[] {
    return Array.from(this.inner.encode(text));
  }

  decode(ids: number[]): string {
    return this.inner.decode(Int32Array.from(ids));
  }

  idToToken(id: number): string {
    return this.inner.idToToken(id);
  }

  get vocabSize(): number {
    return this.inner.getVocabSize();
  }

  dispose(): void {
    this.inner.dispose();
  }
}

export async function createTokenizer(Tokenizer: WebTokenizerClass, json: ArrayBuffer | Uint8Array): Promise<TextTokenizer> {
  const buffer = json instanceof Uint8Array ? json.slice().buffer : json;
  return new TextTokenizer(await Tokenizer.fromJSON(buffer));
}
