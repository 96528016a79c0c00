import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { llama2Tokenizer } from '../src/generate/test-tokenizer';
import { launchBrowser } from './support/browser';
import { openAndGenerate, reloadModel, setSettings, waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const golden = JSON.parse(readFileSync(fileURLToPath(new URL('../models/tiny/golden/golden.json', import.meta.url)), 'utf8'));
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

/** The report's Continue (src/session/controller.ts continueReport), in the page, on wasm. */
describe('Continue', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('says a report cut by the length limit is unfinished; Ctrl+Shift+Enter finishes it as the reference writes it in one go, the button goes on from an edit, the impression is rewritten from corrected findings, and a cut follow-up answer is finished by its own', async () => {
    const page = await browser.newPage();
    await page.goto(baseURL);
    await waitForModel(page);
    const cut = 5;
    await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: cut });
    await reloadModel(page);
    await openAndGenerate(page, SAMPLE);
    await waitForIdle(page);
    const tokenizer = await llama2Tokenizer();
    const box = page.getByRole('textbox', { name: 'Report', exact: true });
    expect(await box.inputValue()).toBe(tokenizer.decode(golden.report.greedy.slice(0, cut)));
    const end = page.getByTestId('report-end');
    expect(await end.textContent()).toContain(`stopped at its length limit (${cut} new tokens)`);

    await setSettings(page, { maxNewTokens: golden.maxNewTokensPerTurn - cut });
    await box.focus();
    await page.keyboard.press('Control+Shift+Enter');
    await expect.poll(() => box.getAttribute('data-streaming'), { timeout: 60_000 }).toBe('true');
    await waitForIdle(page);
    // The PyTorch reference's greedy report, token for token, as if it had never been cut; no version kept aside.
    expect(await box.inputValue()).toBe(tokenizer.decode(golden.report.greedy));
    expect(await page.getByLabel('Earlier versions').count()).toBe(0);
    expect(await end.count()).toBe(golden.report.greedy.length < golden.maxNewTokensPerTurn ? 0 : 1);

    // The reader starts a line of their own; the button goes on from it.
    const edited = `${await box.inputValue()}\nImpression: `;
    await box.fill(edited);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect.poll(() => box.getAttribute('data-streaming'), { timeout: 60_000 }).toBe('true');
    await waitForIdle(page);
    const after = await box.inputValue();
    expect(after.startsWith(edited)).toBe(true);
    expect(after.length).toBeGreaterThan(edited.length);
    expect(after.startsWith(`${edited} `)).toBe(false);

    // Findings corrected, impression left as it was: the check says so and offers the rewrite.
    const typed = 'Findings: No pneumothorax.\nImpression: Pneumothorax.';
    await box.fill(typed);
    const check = page.getByTestId('section-warning');
    await expect.poll(() => check.textContent()).toContain('pneumothorax is ruled out in the findings and named in the impression');
    await check.getByRole('button', { name: 'Rewrite the impression' }).click();
    await expect.poll(() => box.getAttribute('data-streaming'), { timeout: 60_000 }).toBe('true');
    await waitForIdle(page);
    const rewritten = await box.inputValue();
    expect(rewritten.startsWith('Findings: No pneumothorax.\nImpression:')).toBe(true);
    expect(rewritten.length).toBeGreaterThan('Findings: No pneumothorax.\nImpression:'.length);
    // The whole report as it was is under Earlier versions.
    const kept = await page.getByLabel('Earlier versions').locator('option').allTextContents();
    expect(kept.some((o) => o.includes(typed.slice(0, 40)))).toBe(true);

    // A follow-up answer cut at its limit says so, and its own Continue finishes it.
    await setSettings(page, { maxNewTokens: 3 });
    await page.getByLabel('Ask a follow-up question').fill('Is there a pleural effusion?');
    await page.getByLabel('Ask a follow-up question').press('Enter');
    await waitForIdle(page);
    const answer = page.getByTestId('chat-log').locator('li[data-role="assistant"]').last();
    expect(await answer.textContent()).toContain('(stopped at the length limit)');
    const cutAnswer = await answer.locator('.text').textContent();
    await setSettings(page, { maxNewTokens: 20 });
    await page.getByRole('button', { name: 'Continue this answer' }).click();
    await waitForIdle(page);
    const whole = (await answer.locator('.text').textContent()) ?? '';
    expect(whole.startsWith(cutAnswer!)).toBe(true);
    expect(whole.length).toBeGreaterThan(cutAnswer!.length);
    expect(await page.getByTestId('chat-log').locator('li').count()).toBe(2);
    await page.close();
  }, 300_000);
});
