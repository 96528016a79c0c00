/** A prompt after tokenisation: text token ids, and where the image rows go. */
export type PromptSegment = { kind: 'text'; ids: number[] } | { kind: 'image' };

export interface ChunkTokenizer {
  /** Token ids of `text` WITHOUT the BOS that `tokenizer(text)` adds in Python. */
  encode(text: string): number[];
}

/**
 * LLaVA's `tokenizer_image_token`: split the prompt on the image placeholder, tokenise every chunk
 * as `tokenizer(chunk).input_ids` (which starts with BOS), keep the first chunk's BOS once and drop
 * the first token of every chunk. Because the rendered template starts with the text "<s>", the
 * result starts with BOS twice ([1, 1, ...]) exactly as in the reference; and the chunk after the
 * image, which starts with "\n", begins with SentencePiece's dummy prefix "▁" (29871) then <0x0A>.
 */
export function tokenizeWithImage(
  prompt: string,
  tokenizer: ChunkTokenizer,
  bosId: number,
  imageToken = '<image>',
  /** tokenizer_config.json's add_bos_token / add_eos_token: what `tokenizer(chunk)` adds. */
  wrap: { addBos?: boolean; addEos?: boolean; eosId?: number } = {},
): PromptSegment[] {
  const addBos = wrap.addBos ?? true;
  if (wrap.addEos && wrap.eosId === undefined) throw new Error('tokenizeWithImage: addEos needs eosId');
  const chunks = prompt
    .split(imageToken)
    .map((c) => [...(addBos ? [bosId] : []), ...tokenizer.encode(c), ...(wrap.addEos ? [wrap.eosId!] : [])]);
  const segments: PromptSegment[] = [];
  const first = chunks[0]!;
  // offset 1: the reference appends chunks[0][0] (BOS) once, then every chunk from index 1.
  const keepBos = first.length > 0 && first[0] === bosId;
  const offset = keepBos ? 1 : 0;
  chunks.forEach((ids, i) => {
    const text = i === 0 && keepBos ? [bosId, ...ids.slice(offset)] : ids.slice(offset);
    if (i > 0) segments.push({ kind: 'image' });
    if (text.length) segments.push({ kind: 'text', ids: text });
  });
  return segments;
}

/**
 * The prompt as one id per position, with each image row as its own negative id (-1 - row), so
 * two prompts can be compared position by position to find how much of a KV cache is reusable.
 */
export function expandPositions(segments: PromptSegment[], imageTokens: number): number[] {
  const out: number[] = [];
  for (const s of segments) {
    if (s.kind === 'text') out.push(...s.ids);
    else for (let r = 0; r < imageTokens; r++) out.push(-1 - r);
  }
  return out;
}

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
