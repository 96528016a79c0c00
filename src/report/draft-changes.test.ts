import { describe, expect, it } from 'vitest';
import { changeSummary, describeChanges, draftChanges } from './draft-changes';

describe("the reader's changes to the AI draft", () => {
  const model = 'Findings: Mild cardiomegaly. No pleural effusion.\nImpression: Cardiomegaly.';

  it('lists the kept, removed and added runs in order, and rebuilds both texts from them', () => {
    const report = 'Findings: Mild cardiomegaly. Small left pleural effusion.\nImpression: Cardiomegaly, small effusion.';
    const changes = draftChanges(model, report);
    const text = (kinds: string[]) => changes.filter((c) => kinds.includes(c.kind)).map((c) => c.text).join('');
    expect(text(['same', 'removed'])).toBe(model);
    expect(text(['same', 'added'])).toBe(report);
    expect(changes.filter((c) => c.kind !== 'same').map((c) => `${c.kind === 'added' ? '+' : '-'}${c.text}`)).toEqual(['-No', '+Small', '+left ', '+, small effusion']);
    // Whole words: "Cardiomegaly." became "Cardiomegaly,": one word removed, one added.
    expect(changeSummary(model, report)).toEqual({ modelWords: 8, keptWords: 6, removedWords: 2, addedWords: 5 });
  });

  it('says it in words: unchanged, kept some, or nothing kept', () => {
    expect(describeChanges(changeSummary(model, `  ${model}\n`))).toBe('Unchanged from the AI draft (8 words).');
    expect(describeChanges(changeSummary(model, model.replace('Mild ', '')))).toBe("Kept 7 of the AI draft's 8 words, removed 1, added 0.");
    expect(describeChanges(changeSummary('Normal.', 'Right lower lobe pneumonia.'))).toBe('Nothing left of the AI draft (1 word): all 4 words written by the reader.');
  });
});
