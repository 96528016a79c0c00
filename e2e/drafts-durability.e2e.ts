import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { reloadModel, setSettings, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');

/**
 * No keystroke is lost (src/session/draft-journal.ts): every change is written ahead to
 * localStorage before IndexedDB's debounced save, so the page may go away 0 ms after the last
 * keystroke, in the production build.
 */
const reportBox = (page: Page) => page.getByRole('textbox', { name: 'Report', exact: true });
const chatBox = (page: Page) => page.getByLabel('Ask a follow-up question');

/** Types at the end of the report; resolves once the browser has handled the last key. */
async function typeAtEnd(page: Page, text: string) {
  await reportBox(page).focus();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

async function restored(page: Page, want: string) {
  await expect.poll(() => reportBox(page).inputValue(), { timeout: 30_000 }).toBe(want);
}

async function openSample(page: Page) {
  await page.getByRole('button', { name: 'Open the sample radiograph' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Generate report' }).isEnabled(), { timeout: 60_000 }).toBe(true);
}

describe('drafts survive the page going away at once', () => {
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('report edits: 20 reloads in a row, each 0 ms after the last keystroke', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    let want = '';
    for (let i = 1; i <= 20; i++) {
      const line = `${i === 1 ? '' : '\n'}line ${i}: no pneumothorax`;
      await typeAtEnd(page, line);
      want += line;
      await page.reload();
      await restored(page, want);
    }
    await context.close();
  }, 600_000);

  it('closing the tab right after typing, then opening the app in a new tab', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await typeAtEnd(page, 'Typed just before the tab closed.');
    await page.close();
    const again = await context.newPage();
    await again.goto(baseURL);
    await restored(again, 'Typed just before the tab closed.');
    await context.close();
  }, 120_000);

  it('a crashed renderer (CDP Page.crash) right after typing', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await typeAtEnd(page, 'Typed just before the renderer crashed.');
    const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()));
    const cdp = await context.newCDPSession(page);
    // The renderer dies without unload handlers, timers or pending IndexedDB work; the call itself never answers.
    void cdp.send('Page.crash').catch(() => {});
    await crashed;
    const again = await context.newPage();
    await again.goto(baseURL);
    await restored(again, 'Typed just before the renderer crashed.');
    await context.close();
  }, 120_000);

  it('an edit typed while the report streams, and the half-typed follow-up question, survive a reload 0 ms later', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await waitForModel(page);
    await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: 4096 });
    await reloadModel(page);
    await openSample(page);
    await page.getByRole('button', { name: 'Generate report' }).click();
    await expect.poll(() => reportBox(page).inputValue(), { timeout: 60_000 }).not.toBe('');
    expect(await reportBox(page).getAttribute('data-streaming')).toBe('true');
    // The user's words go at the start; the model's keep coming at the end.
    await reportBox(page).focus();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('EDITED ');
    const seen = await reportBox(page).inputValue();
    await page.reload();
    await expect.poll(() => reportBox(page).inputValue(), { timeout: 30_000 }).not.toBe('');
    const after = await reportBox(page).inputValue();
    expect(after.startsWith('EDITED '), after).toBe(true);
    // Nothing on screen before the reload is missing (tokens that came after `seen` may follow).
    expect(after.startsWith(seen), `${JSON.stringify(seen)} then ${JSON.stringify(after)}`).toBe(true);
    expect(await reportBox(page).getAttribute('data-streaming')).toBe('false');

    // The follow-up question being typed: 3 reloads, each 0 ms after the last keystroke.
    let question = '';
    for (const part of ['Is there', ' a pleural', ' effusion?']) {
      await waitForModel(page);
      await openSample(page);
      await expect.poll(() => chatBox(page).isEnabled(), { timeout: 60_000 }).toBe(true);
      expect(await chatBox(page).inputValue()).toBe(question);
      await chatBox(page).focus();
      await page.keyboard.press('End');
      await page.keyboard.type(part);
      question += part;
      await page.reload();
      await expect.poll(() => chatBox(page).inputValue(), { timeout: 30_000 }).toBe(question);
    }
    expect(await reportBox(page).inputValue()).toBe(after);
    await context.close();
  }, 600_000);
});

describe('a crashed inference worker', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('mid-stream: the report, the edit and the half-typed question stay on screen and survive a reload 0 ms later', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await waitForModel(page);
    await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: 4096 });
    await reloadModel(page);
    await openSample(page);
    await chatBox(page).fill('Is there a pneu');
    await page.getByRole('button', { name: 'Generate report' }).click();
    await expect.poll(() => reportBox(page).inputValue(), { timeout: 60_000 }).not.toBe('');
    await reportBox(page).focus();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('EDITED ');
    // An uncaught error inside the worker, as a wasm abort would raise.
    const worker = page.workers().find((w) => w.url().includes('inference'));
    expect(worker, page.workers().map((w) => w.url()).join(', ')).toBeDefined();
    await worker!.evaluate(() => {
      setTimeout(() => {
        throw new Error('simulated crash of the inference worker');
      });
    });
    await expect.poll(() => page.getByTestId('status-line').getAttribute('data-stage'), { timeout: 30_000 }).toBe('error');
    expect(await page.getByTestId('status-line').textContent()).toMatch(/worker crashed/);
    expect(await reportBox(page).getAttribute('data-streaming')).toBe('false');
    const seen = await reportBox(page).inputValue();
    expect(seen).toMatch(/^EDITED /);
    expect(await chatBox(page).inputValue()).toBe('Is there a pneu');
    await page.reload();
    await expect.poll(() => reportBox(page).inputValue(), { timeout: 30_000 }).toBe(seen);
    expect(await chatBox(page).inputValue()).toBe('Is there a pneu');
    await context.close();
  }, 300_000);
});
