export interface IdDecoder {
  decode(ids: number[]): string;
}

/**
 * Turns generated ids into text deltas. Decoding the whole answer each step keeps SentencePiece's
 * spaces right (the leading "▁" of the first token is dropped, later ones become spaces); a delta
 * is held back while the text ends in U+FFFD, i.e. while a multi-byte character is still arriving
 * as <0xNN> byte tokens.
 */
export class StreamDecoder {
  private ids: number[] = [];
  private emitted = '';

  constructor(private readonly tokenizer: IdDecoder) {}

  /** Adds one token; returns the new text it completes (possibly ''). */
  push(id: number): string {
    this.ids.push(id);
    const text = this.tokenizer.decode(this.ids);
    if (text.endsWith('\uFFFD')) return '';
    return this.take(text);
  }

  /** Whatever is left at the end (a dangling partial character is emitted as is). */
  flush(): string {
    return this.take(this.tokenizer.decode(this.ids));
  }

  get text(): string {
    return this.emitted;
  }

  private take(text: string): string {
    // Decoding is prefix-stable for SentencePiece except where a held-back byte sequence
    // resolves; fall back to the common prefix so nothing is emitted twice.
    let i = 0;
    const n = Math.min(text.length, this.emitted.length);
    while (i < n && text[i] === this.emitted[i]) i++;
    if (i < this.emitted.length) {
      // Should not happen with LLaMA's decoder; never rewrite what the user already saw.
      return '';
    }
    const delta = text.slice(this.emitted.length);
    this.emitted = text;
    return delta;
  }
}
