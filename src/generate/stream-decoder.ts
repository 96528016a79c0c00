export interface IdDecoder {
  decode(ids: number[]): string;
}

/**
 * decode([id]) for each tokenizer, remembered: the streaming decoder needs the previous token
 * alone every step, and a decode is a call into the tokenizer's wasm with copies both ways.
 */
const singleTokenTexts = new WeakMap<IdDecoder, Map<number, string>>();

function decodeOne(tokenizer: IdDecoder, id: number): string {
  let texts = singleTokenTexts.get(tokenizer);
  if (!texts) singleTokenTexts.set(tokenizer, (texts = new Map()));
  let text = texts.get(id);
  if (text === undefined) texts.set(id, (text = tokenizer.decode([id])));
  return text;
}

/**
 * Turns generated ids into text deltas in constant work per token (the prefix/read-offset scheme
 * of HF's text-generation-inference): only the last few ids are decoded each step, with one id of
 * context before them so SentencePiece's "▁" still turns into the right space. A delta is held
 * back while the text ends in U+FFFD, i.e. while a multi-byte character is still arriving as
 * <0xNN> byte tokens.
 *
 * `context`: the ids already written before this stream (an answer being continued). They are not
 * emitted again; they only decide how the first new token joins them ("▁normal" after "is" is
 * " normal", where a stream of its own would drop the space).
 */
export class StreamDecoder {
  private ids: number[];
  private prefixOffset: number;
  private readOffset: number;
  private emitted = '';
  /** The context's own text, which flush() leaves out. */
  private readonly contextText: string;

  constructor(
    private readonly tokenizer: IdDecoder,
    context: readonly number[] = [],
  ) {
    this.ids = context.slice(-4);
    this.readOffset = this.ids.length;
    this.prefixOffset = Math.max(0, this.readOffset - 1);
    this.contextText = this.ids.length ? tokenizer.decode(this.ids) : '';
  }

  /** Adds one token; returns the new text it completes (possibly ''). */
  push(id: number): string {
    this.ids.push(id);
    if (this.readOffset === 0) {
      // The first token(s): decode from the start, where the leading "▁" is dropped as the
      // full decode drops it.
      const text = this.tokenizer.decode(this.ids);
      if (text.endsWith('\uFFFD')) return '';
      this.readOffset = this.ids.length;
      this.prefixOffset = Math.max(0, this.readOffset - 1);
      this.emitted = text;
      return text;
    }
    const prefixText =
      this.readOffset - this.prefixOffset === 1
        ? decodeOne(this.tokenizer, this.ids[this.prefixOffset]!)
        : this.tokenizer.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const newText = this.tokenizer.decode(this.ids.slice(this.prefixOffset));
    if (newText.length <= prefixText.length || newText.endsWith('\uFFFD') || !newText.startsWith(prefixText)) return '';
    const delta = newText.slice(prefixText.length);
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    this.emitted += delta;
    return delta;
  }

  /** Whatever is left at the end (a dangling partial character is emitted as is). */
  flush(): string {
    const all = this.tokenizer.decode(this.ids);
    if (!all.startsWith(this.contextText)) return '';
    const full = all.slice(this.contextText.length);
    if (!full.startsWith(this.emitted) || full.length === this.emitted.length) return '';
    const delta = full.slice(this.emitted.length);
    this.emitted = full;
    return delta;
  }

  get text(): string {
    return this.emitted;
  }
}
