import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Opening the imaging fixtures (e2e/fixtures/imaging) in the app, and what fixtures.py says they hold. */

export const FIXTURES = fileURLToPath(new URL('../fixtures/imaging/', import.meta.url));

export interface Stats {
  mean: number;
  std: number;
}
export interface StoredStats extends Stats {
  min: number;
  max: number;
  checksum: number;
}
export const expected = JSON.parse(readFileSync(FIXTURES + 'expected.json', 'utf8')) as Record<string, { width: number; height: number; grey8: Stats; stored: StoredStats }>;

/** Waits until the app shows `name` (or refuses it: then fails with the message). */
export async function waitShown(page: Page, name: string): Promise<void> {
  const outcome = await page.waitForFunction(
    (n) => {
      const error = document.querySelector('[data-testid="intake-error"]')?.textContent;
      if (error?.includes(n)) return `error: ${error}`;
      const shown =
        document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n &&
        !!document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.imageRect &&
        !document.querySelector('[data-testid="intake-status"]');
      return shown ? 'shown' : false;
    },
    name,
    { timeout: 30_000 },
  );
  expect(await outcome.jsonValue(), name).toBe('shown');
  // One more frame so that the canvas holds the final render.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Picks a fixture with "Open image"; clears what the decode recorder (imaging.e2e) last saw. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __decoded: unknown }).__decoded = null));
  await page.getByLabel('Open image').setInputFiles(FIXTURES + name);
}
