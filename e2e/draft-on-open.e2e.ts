import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, openPage } from './support/browser';
import { setSettings, waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const FIRST = fileURLToPath(new URL('./fixtures/imaging/gray.jpg', import.meta.url));
const SECOND = fileURLToPath(new URL('./fixtures/imaging/gray16.png', import.meta.url));

/** Work starts on drop: encode + prefill at once, and (by default) the report drafts itself. */
describe('draft on open (demo model, auto provider: wasm beside SwiftShader)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('opening an image starts the report with its prompt already prefilled, and times drop -> first token', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    // The model warmed up every stage while loading, and runs on wasm (SwiftShader is software).
    expect(await page.getByTestId('model-load-status').textContent()).toContain('onnx · wasm');
    await setSettings(page, { temperature: 0, maxNewTokens: 8, draftOnOpen: true });
    await page.getByLabel('Open image').setInputFiles(FIRST);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    // No click: the draft streams by itself.
    await expect.poll(() => report.inputValue(), { timeout: 120_000 }).not.toBe('');
    await waitForIdle(page);
    const status = (await page.getByTestId('status-line').textContent()) ?? '';
    expect(status).toMatch(/drop → first token \d+ ms/);
    // The whole prompt was in the KV cache when generation began (prefilled on open).
    const [, prompt, cached] = status.match(/prompt (\d+) tokens \((\d+) cached\)/) ?? [];
    expect(Number(prompt)).toBeGreaterThan(0);
    expect(cached).toBe(prompt);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('another image stops the running draft cleanly and drafts the new one; typed text is kept', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    await setSettings(page, { temperature: 0, maxNewTokens: 4096, draftOnOpen: true });
    await page.getByLabel('Open image').setInputFiles(FIRST);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    await page.waitForFunction(() => document.querySelector('textarea[aria-label="Report"]')?.getAttribute('data-streaming') === 'true', undefined, { timeout: 120_000 });
    const question = page.getByLabel('Ask a follow-up question');
    await question.fill('Keep this unsent question');
    await expect.poll(async () => (await report.inputValue()).length, { timeout: 120_000 }).toBeGreaterThan(20);
    const before = (await report.inputValue()).length;

    await page.getByLabel('Open image').setInputFiles(SECOND);
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, 'gray16.png', { timeout: 30_000 });
    // The new image's draft starts from an empty report (the old one stays in its own draft).
    await page.waitForFunction((n) => (document.querySelector('textarea[aria-label="Report"]') as HTMLTextAreaElement).value.length < n, before, { timeout: 120_000, polling: 10 });
    await page.waitForFunction(() => document.querySelector('textarea[aria-label="Report"]')?.getAttribute('data-streaming') === 'true', undefined, { timeout: 120_000 });
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitForIdle(page);
    expect(await page.getByTestId('status-line').getAttribute('data-stage')).toBe('idle');
    // The unsent question belongs to the first study's draft (each study keeps its own chat
    // input): not shown with the second image, and back when the first is opened again.
    expect(await question.inputValue()).toBe('');
    await page.getByLabel('Open image').setInputFiles(FIRST);
    await expect.poll(() => question.inputValue(), { timeout: 60_000 }).toBe('Keep this unsent question');
    expect(errors).toEqual([]);
    await page.close();
  });
});
