import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { reloadModel, setSettings, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');

/**
 * Editing a report while it streams: a key that moves the caret reaches React only with the next
 * selectionchange task, and a token appended in between used to put the caret back where it had
 * been, so the text went to the end (3 of 40 here before the fix; ReportPanel.tsx).
 */
describe('the caret while the report streams', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  /** A long greedy report of the sample on wasm, streaming: the box has its first words. */
  async function streamingReport() {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await waitForModel(page);
    await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: 4096, draftOnOpen: false });
    await reloadModel(page);
    await page.getByRole('button', { name: 'Open the sample radiograph' }).click();
    await page.getByRole('button', { name: 'Generate report' }).click({ timeout: 60_000 });
    const box = page.getByRole('textbox', { name: 'Report', exact: true });
    await expect.poll(() => box.inputValue(), { timeout: 60_000 }).not.toBe('');
    return { context, page, box };
  }

  it('text typed at the start after Ctrl+Home lands at the start, every time', async () => {
    const { context, page, box } = await streamingReport();
    const misplaced: string[] = [];
    let typed = 0;
    for (let i = 0; i < 40 && (await box.getAttribute('data-streaming')) === 'true'; i++) {
      await box.focus();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Control+Home');
      await page.keyboard.type('Q');
      typed++;
      const value = await box.inputValue();
      if (!value.startsWith('Q'.repeat(typed))) {
        misplaced.push(`after ${typed}: ${JSON.stringify(value.slice(0, 60))}`);
        break;
      }
    }
    expect(typed).toBeGreaterThanOrEqual(10);
    expect(misplaced).toEqual([]);
    // No typed Q went anywhere else: past the typed ones, the text is exactly what the model wrote.
    // The model's text is read from a second, untouched run (greedy, so the same tokens); counting
    // Qs would not do, as the demo model writes some of its own ("Quant", "Qual") further on.
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => box.getAttribute('data-streaming')).toBe('false');
    const edited = await box.inputValue();
    expect(edited.slice(0, typed)).toBe('Q'.repeat(typed));
    const modelText = edited.slice(typed);
    await page.getByRole('button', { name: 'Regenerate' }).click();
    // Regenerate starts from an empty box (the edited text goes under Earlier versions).
    const written = async () => {
      const now = await box.inputValue();
      return !now.startsWith('Q') && (now.length >= modelText.length || (await box.getAttribute('data-streaming')) === 'false');
    };
    await expect.poll(written, { timeout: 120_000 }).toBe(true);
    await page.getByRole('button', { name: 'Stop' }).click();
    expect((await box.inputValue()).slice(0, modelText.length)).toBe(modelText);
    await context.close();
  }, 300_000);

  it("Ctrl+Z while the report streams takes back the reader's typing, a word at a time, and leaves the model's words", async () => {
    const { context, page, box } = await streamingReport();
    await box.focus();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('Portable film. ');
    const typedAt = await box.inputValue();
    expect(typedAt.startsWith('Portable film. ')).toBe(true);
    const model = typedAt.slice('Portable film. '.length);
    // More words stream in after the typing: every one of them re-sets the box's value.
    await expect.poll(async () => (await box.inputValue()).length, { timeout: 60_000 }).toBeGreaterThan(typedAt.length);
    await page.keyboard.press('Control+z');
    expect((await box.inputValue()).startsWith('Portable ')).toBe(true);
    expect((await box.inputValue()).startsWith('Portable film')).toBe(false);
    await page.keyboard.press('Control+z');
    const undone = await box.inputValue();
    expect(undone.startsWith(model)).toBe(true);
    expect(undone.length).toBeGreaterThan(model.length);
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+Shift+z');
    expect((await box.inputValue()).startsWith(`Portable film. ${model}`)).toBe(true);
    // Typing goes on where the redo left the caret.
    await page.keyboard.type('AP. ');
    expect((await box.inputValue()).startsWith(`Portable film. AP. ${model}`)).toBe(true);
    await page.getByRole('button', { name: 'Stop' }).click();
    await context.close();
  }, 300_000);
});
