import { describe, expect, it } from 'vitest';
import { asPhrases, blankFrom, blanks, DEFAULT_PHRASES, MAX_PHRASES, phraseProblem, usablePhrases } from './phrases';

describe("the reader's report phrases", () => {
  it('says what keeps a phrase from being offered', () => {
    const others = [{ name: 'Normal chest', text: 'Clear.' }];
    expect(phraseProblem({ name: ' ', text: 'x' }, others)).toBe('Give the phrase a name.');
    expect(phraseProblem({ name: 'normal CHEST ', text: 'x' }, others)).toBe('Another phrase is named "normal CHEST".');
    expect(phraseProblem({ name: 'Mine', text: '\n' }, others)).toBe('Write the text it puts in.');
    expect(phraseProblem({ name: 'x'.repeat(61), text: 'x' }, others)).toMatch(/at most 60/);
    expect(phraseProblem({ name: 'Mine', text: 'Clear.' }, others)).toBeNull();
    for (const [i, p] of DEFAULT_PHRASES.entries()) expect(phraseProblem(p, DEFAULT_PHRASES.slice(0, i))).toBeNull();
  });

  it('offers the usable ones, trimmed, the first of a name only', () => {
    expect(
      usablePhrases([
        { name: ' A ', text: ' one \n' },
        { name: '', text: 'nameless' },
        { name: 'a', text: 'twice' },
        { name: 'B', text: 'two' },
      ]),
    ).toEqual([
      { name: 'A', text: 'one' },
      { name: 'B', text: 'two' },
    ]);
  });

  it('reads back only lists of name and text strings, at most the limit', () => {
    expect(asPhrases('x')).toBeNull();
    expect(asPhrases([{ name: 'A', text: 'a' }, { name: 1, text: 'b' }, null, { name: 'C' }])).toEqual([{ name: 'A', text: 'a' }]);
    expect(asPhrases(Array.from({ length: MAX_PHRASES + 5 }, (_, i) => ({ name: `${i}`, text: 'x' })))).toHaveLength(MAX_PHRASES);
  });

  it('says when a phrase names a field there is none of', () => {
    expect(phraseProblem({ name: 'Header', text: 'Indication: {indicaton}' }, [])).toBe(
      '{indicaton} is no field: a phrase can take {indication}, {study description}, {view}, {study date}, {today}.',
    );
    expect(phraseProblem({ name: 'Header', text: 'Indication: {Indication}' }, [])).toBeNull();
  });

  it('finds the blanks left to fill, and where', () => {
    expect(blanks('Follow-up in [interval] at [place].')).toEqual([
      { text: '[interval]', start: 13, end: 23 },
      { text: '[place]', start: 27, end: 34 },
    ]);
    expect(blanks('No blanks [] here [\nsplit] or [[nested]].').map((b) => b.text)).toEqual(['[nested]']);
  });

  it('goes to the next or the previous blank from the caret or the blank selected', () => {
    const text = 'Follow-up in [interval] at [place].';
    const at = (n: number) => ({ start: n, end: n });
    const interval = { start: 13, end: 23 };
    const place = { start: 27, end: 34 };
    expect(blankFrom(text, at(0), false)).toEqual(interval);
    // The caret inside a blank: that blank, either way.
    expect(blankFrom(text, at(15), false)).toEqual(interval);
    expect(blankFrom(text, at(15), true)).toEqual(interval);
    // One selected: the next, or the one before.
    expect(blankFrom(text, interval, false)).toEqual(place);
    expect(blankFrom(text, place, true)).toEqual(interval);
    // None that way: Tab leaves the box.
    expect(blankFrom(text, place, false)).toBeNull();
    expect(blankFrom(text, interval, true)).toBeNull();
    expect(blankFrom(text, at(text.length), false)).toBeNull();
    expect(blankFrom('No blanks.', at(0), false)).toBeNull();
  });
});
