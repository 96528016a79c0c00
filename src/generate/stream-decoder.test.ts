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
