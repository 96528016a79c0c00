import { describe, expect, it } from 'vitest';
import { changeSummary, describeChanges, draftChanges, modelIndexAt } from './draft-changes';

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

  it("finds a place in the report in the model's text, through the reader's edits", () => {
    const report = 'Findings: Mild cardiomegaly. Small left pleural effusion.\nImpression: Cardiomegaly.';
    // Before, inside and after what the model wrote, and inside what the reader changed.
    expect(modelIndexAt(model, report, 0)).toBe(0);
    expect(modelIndexAt(model, report, report.indexOf('Mild'))).toBe(model.indexOf('Mild'));
    expect(modelIndexAt(model, report, report.indexOf('\nImpression'))).toBe(model.indexOf('\nImpression'));
    expect(modelIndexAt(model, report, report.length)).toBe(model.length);
    const inEdit = modelIndexAt(model, report, report.indexOf('left'));
    expect(inEdit >= model.indexOf('No') && inEdit <= model.indexOf('pleural')).toBe(true);
    // No model text: the start of it.
    expect(modelIndexAt('', 'Typed by the reader.', 5)).toBe(0);
  });
});
