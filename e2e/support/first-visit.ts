import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { setSettings, waitForModel, waitForVerdict } from './reading-room';

/** A first visit: the model loads on wasm (fast here) and the service worker takes control. */
export async function firstVisit(context: BrowserContext, baseURL: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(baseURL);
  await waitForModel(page);
  await setSettings(page, { provider: 'wasm', temperature: 0, maxNewTokens: 6 });
  // The service worker has finished precaching when it is active.
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).some((r) => r.active?.state === 'activated')), {
      timeout: 120_000,
      interval: 500,
    })
    .toBe(true);
  // One more online load, as a second visit would be: the page is now served by the worker.
  await page.reload();
  await waitForModel(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // The first load on this device runs the model self-check, which fetches the sample radiograph:
  // a test that reloads while that fetch is in flight would see the old page's request aborted.
  expect(await waitForVerdict(page)).toBe('verified');
  return page;
}
