import { describe, expect, it } from 'vitest';
import { StreamDecoder } from './stream-decoder';
import { llama2Tokenizer } from './test-tokenizer';

describe('StreamDecoder', () => {
  it('emits words with their spaces and never half a character', async () => {
    const t = await llama2Tokenizer();
    const ids = t.encode('No effusion. 안녕 ✓ done');
    const stream = new StreamDecoder(t);
    const deltas = ids.map((id) => stream.push(id));
    deltas.push(stream.flush());
    expect(deltas.join('')).toBe('No effusion. 안녕 ✓ done');
    // '녕' arrives as three byte tokens (238, 136, 152): nothing is emitted until the last one.
    const at = ids.indexOf(238);
    expect(deltas[at]).toBe('');
    expect(deltas[at + 1]).toBe('');
    expect(deltas[at + 2]).toBe('녕');
    for (const d of deltas) expect(d).not.toContain('\uFFFD');
    // The first word has no leading space (SentencePiece's dummy prefix is dropped).
    expect(deltas[0]).toBe('No');
  });
});

describe('StreamDecoder on long and odd sequences', () => {
  it('streams exactly the full decode for every prefix-free split of a long text', async () => {
    const t = await llama2Tokenizer();
    const text = 'Heart size normal.\nNo focal consolidation, effusion or pneumothorax.  Two spaces; émigré café — 肺 ✓ end.';
    const ids = t.encode(text);
    const stream = new StreamDecoder(t);
    let out = '';
    for (const id of ids) out += stream.push(id);
    out += stream.flush();
    expect(out).toBe(t.decode(ids));
    expect(stream.text).toBe(t.decode(ids));
  });
});

describe('StreamDecoder continuing an answer', () => {
  it('joins the new words to the context with their spaces, and emits none of the context', async () => {
    const t = await llama2Tokenizer();
    const text = 'Heart size is normal.\nNo effusion. 안녕 ✓ end.';
    const ids = t.encode(text);
    for (let k = 1; k < ids.length; k++) {
      const stream = new StreamDecoder(t, ids.slice(0, k));
      let out = '';
      for (const id of ids.slice(k)) out += stream.push(id);
      out += stream.flush();
      const before = t.decode(ids.slice(0, k));
      // Where the context ends mid-character, its text and the continuation's overlap in that character.
      if (before.endsWith('\uFFFD')) continue;
      expect(before + out).toBe(t.decode(ids));
      expect(stream.text).toBe(out);
    }
    // "is" then "▁normal": the space is the continuation's.
    const at = ids.indexOf(t.encode('Heart size is normal')[3]!);
    const stream = new StreamDecoder(t, ids.slice(0, at));
    expect(stream.push(ids[at]!)).toBe(' normal');
  });
});
