import { describe, expect, it } from 'vitest';
import { ALL_PHASES, FULLSIZE_USAGE, parseFullsizeArgs } from './args';

describe('the full-size bench command line', () => {
  it('defaults to every phase, 3 reloads and 3 encodes', () => {
    expect(parseFullsizeArgs([])).toEqual({ folder: null, reloads: 3, encodes: 3, phases: new Set(ALL_PHASES) });
  });

  it('takes what the docs use', () => {
    expect(parseFullsizeArgs(['--reloads', '1', '--encodes', '2'])).toMatchObject({ reloads: 1, encodes: 2 });
    expect(parseFullsizeArgs(['--phases', 'first,reload', '--reloads', '2', '--no-encode'])).toMatchObject({ reloads: 2, phases: new Set(['first', 'reload']) });
    expect(parseFullsizeArgs(['--no-encode', '--phases', 'first,encode'])).toMatchObject({ phases: new Set(['first']) });
    expect(parseFullsizeArgs(['--folder', '/x/y'])).toMatchObject({ folder: '/x/y' });
  });

  it('answers --help and anything it does not know with the usage, instead of starting a run', () => {
    expect(parseFullsizeArgs(['--help'])).toBe(FULLSIZE_USAGE);
    expect(parseFullsizeArgs(['--reload', '2'])).toMatch(/^unknown option --reload\nusage:/);
    expect(parseFullsizeArgs(['--phases', 'first,hsah'])).toMatch(/^unknown phase hsah\n/);
    expect(parseFullsizeArgs(['--encodes', 'two'])).toMatch(/^--encodes two: a whole number/);
    expect(parseFullsizeArgs(['--folder'])).toMatch(/^--folder needs a value/);
  });
});
