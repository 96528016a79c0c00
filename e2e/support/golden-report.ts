import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { llama2Tokenizer } from '../../src/generate/test-tokenizer';
import { openAndGenerate, setSettings, waitForIdle } from './reading-room';

const golden = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/tiny/golden/golden.json', import.meta.url)), 'utf8'));
const SAMPLE = fileURLToPath(new URL('../../public/samples/cxr-sample.jpg', import.meta.url));

/**
 * Opens the sample radiograph and writes the report on wasm, greedy: the demo model's text must be
 * the PyTorch reference's (models/tiny/golden), token for token.
 */
export async function expectGoldenReport(page: Page): Promise<void> {
  await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: golden.maxNewTokensPerTurn });
  await openAndGenerate(page, SAMPLE);
  await waitForIdle(page);
  const tokenizer = await llama2Tokenizer();
  expect(await page.getByRole('textbox', { name: 'Report', exact: true }).inputValue()).toBe(tokenizer.decode(golden.report.greedy));
}
