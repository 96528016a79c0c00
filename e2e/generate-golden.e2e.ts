import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { llama2Tokenizer } from '../src/generate/test-tokenizer';
import { launchBrowser, openPage } from './support/browser';
import { openAndGenerate, reloadModel, setSettings, waitForIdle, waitForModel, waitForVerdict } from './support/reading-room';

const baseURL = inject('baseURL');
const golden = JSON.parse(readFileSync(fileURLToPath(new URL('../models/tiny/golden/golden.json', import.meta.url)), 'utf8'));
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

/**
 * The whole chain in the browser — JPEG decode, PIL-exact preprocessing, the vision encoder and the
 * generation loop in the inference worker — against the PyTorch reference: the tiny model's greedy
 * answers to the report prompt and to a follow-up must equal the golden token ids exactly.
 */
for (const provider of ['wasm', 'webgpu'] as const) {
  describe(`report + follow-up on ${provider} equal the PyTorch golden tokens`, () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => browser?.close());

    it('streams the golden report, then the golden follow-up answer reusing the KV cache', async () => {
      const tokenizer = await llama2Tokenizer();
      const { page, errors } = await openPage(browser, baseURL);
      await waitForModel(page);
      await setSettings(page, { provider, temperature: 0, maxNewTokens: golden.maxNewTokensPerTurn });
      await reloadModel(page);
      expect(await page.getByTestId('model-load-status').textContent()).toContain(`onnx · ${provider}`);

      await openAndGenerate(page, SAMPLE);
      await waitForIdle(page);
      const report = await page.getByRole('textbox', { name: 'Report', exact: true }).inputValue();
      expect(report).toBe(tokenizer.decode(golden.report.greedy));

      // The first load's self-check gave way to the image and ran again after the report; asked
      // once it has finished (it prefills the conversation again), the follow-up finds the cache
      // as the report left it. (Asked during the check, it prefills everything itself.)
      expect(await waitForVerdict(page)).toBe('verified');
      await page.getByLabel('Ask a follow-up question').fill(golden.chat.followUp);
      await page.getByRole('button', { name: 'Ask' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-role="assistant"][data-streaming="false"]').length === 1, undefined, { timeout: 240_000 });
      const answer = await page.locator('[data-role="assistant"] .text').last().textContent();
      expect(answer).toBe(tokenizer.decode(golden.chat.turn2.greedy));
      // The follow-up reused the cached image and first turn.
      expect(await page.getByTestId('status-line').textContent()).toMatch(/prompt \d+ tokens \((1[0-9]{3}) cached\)/);
      expect(errors).toEqual([]);
    }, 600_000);
  });
}
