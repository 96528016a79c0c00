import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkDiagnosticReport, formatIssues } from '../src/report/fhir-check';
import { launchBrowser, openPage } from './support/browser';
import { openAndGenerate, reloadModel, setSettings, waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

async function download(page: Page, button: string): Promise<string> {
  const [dl] = (await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()])) as [Download, unknown];
  return readFileSync((await dl.path())!, 'utf8');
}

/** The whole reading-room flow with the demo model, as a radiologist would use it. */
describe('reading room', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('open -> generate (streams) -> edit -> reload keeps the edit -> follow-up streams -> FHIR export validates', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    await setSettings(page, { provider: 'wasm', temperature: 0.2, maxNewTokens: 40 });
    await reloadModel(page);
    await openAndGenerate(page, SAMPLE);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    // Streaming: the text grows while the report box says it is streaming.
    const lengths: number[] = [];
    await page.waitForFunction(() => document.querySelector('textarea[aria-label="Report"]')?.getAttribute('data-streaming') === 'true', undefined, { timeout: 60_000 });
    for (let i = 0; i < 40 && (await report.getAttribute('data-streaming')) === 'true'; i++) {
      lengths.push((await report.inputValue()).length);
      await page.waitForTimeout(50);
    }
    await waitForIdle(page);
    const generated = await report.inputValue();
    expect(generated.length).toBeGreaterThan(0);
    expect(new Set(lengths).size).toBeGreaterThan(1);

    const edited = `IMPRESSION (edited): ${generated}`;
    await report.fill(edited);
    await page.waitForTimeout(1200); // the draft is saved 0.5 s after the last change
    await page.reload();
    await expect.poll(() => page.getByRole('textbox', { name: 'Report', exact: true }).inputValue(), { timeout: 30_000 }).toBe(edited);

    await waitForModel(page);
    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    const ask = page.getByLabel('Ask a follow-up question');
    await expect.poll(() => ask.isEnabled(), { timeout: 60_000 }).toBe(true);
    await ask.fill('Is there a pleural effusion?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-role="assistant"][data-streaming="false"]').length === 1, undefined, { timeout: 120_000 });
    expect((await page.locator('[data-role="assistant"] .text').last().textContent())?.length).toBeGreaterThan(0);
    expect(await page.getByRole('textbox', { name: 'Report', exact: true }).inputValue()).toBe(edited);
    // The answer goes into the report as a line of its own, and counts as the model's text: the
    // sign form says the reader added only the two words they typed.
    const answer = (await page.locator('[data-role="assistant"] .text').last().textContent())!.trim();
    await page.getByRole('button', { name: 'Add to report' }).click();
    const withAnswer = `${edited}\n${answer}`;
    expect(await page.getByRole('textbox', { name: 'Report', exact: true }).inputValue()).toBe(withAnswer);
    await page.getByRole('button', { name: 'Sign report…' }).click();
    expect(await page.getByTestId('sign-changes').textContent()).toMatch(/, removed 0, added 2\.$/);
    await page.getByRole('button', { name: 'Cancel' }).click();

    const resource = JSON.parse(await download(page, 'Export FHIR'));
    const check = checkDiagnosticReport(resource);
    expect(check.valid, formatIssues(check.issues)).toBe(true);
    expect(resource.conclusion).toBe(withAnswer);
    expect(resource.status).toBe('preliminary');
    expect(JSON.stringify(resource)).not.toMatch(/"Patient"/);
    expect(errors).toEqual([]);
    await page.close();
  }, 400_000);
});
