import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Waits until the model panel says the model is loaded (or fails the test with its message). */
export async function waitForModel(page: Page, timeout = 240_000): Promise<void> {
  await page.waitForFunction(
    () => ['loaded', 'failed'].includes(document.querySelector('[data-testid="model-load-status"]')?.getAttribute('data-status') ?? ''),
    undefined,
    { timeout },
  );
  const status = page.getByTestId('model-load-status');
  if ((await status.getAttribute('data-status')) !== 'loaded') throw new Error(`model failed to load: ${await status.textContent()}`);
}

/**
 * Waits for the model self-check to reach a verdict. The first load of a model on a device runs
 * it; an image opened meanwhile goes first and the check runs again after that image's answer.
 */
export async function waitForVerdict(page: Page, timeout = 300_000): Promise<string> {
  const handle = await page.waitForFunction(
    () => {
      const status = document.querySelector('[data-testid="model-verification"]')?.getAttribute('data-status') ?? '';
      return ['verified', 'failed'].includes(status) ? status : false;
    },
    undefined,
    { timeout, polling: 250 },
  );
  return (await handle.jsonValue()) as string;
}

/** Waits for the status line to leave the busy stages after a generation was started. */
export async function waitForIdle(page: Page, timeout = 240_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const stage = document.querySelector('[data-testid="status-line"]')?.getAttribute('data-stage');
      const streaming = document.querySelector('textarea[aria-label="Report"]')?.getAttribute('data-streaming');
      return (stage === 'idle' || stage === 'error') && streaming !== 'true';
    },
    undefined,
    { timeout, polling: 250 },
  );
}

/** The side panels (src/ui/layout/panels.tsx): opens one unless it is open already. */
export type PanelId = 'worklist' | 'studies' | 'priors' | 'model' | 'image-info' | 'device' | 'settings' | 'keys';
export async function openPanel(page: Page, id: PanelId): Promise<void> {
  const toggle = page.getByTestId(`panel-toggle-${id}`);
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

export async function closePanel(page: Page, id: PanelId): Promise<void> {
  const toggle = page.getByTestId(`panel-toggle-${id}`);
  if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
}

/**
 * Sets what is given; "Draft the report as soon as an image opens" is turned off unless asked
 * for, so a test's own Generate click is the only generation.
 */
export async function setSettings(page: Page, s: { provider?: 'auto' | 'webgpu' | 'wasm'; temperature?: number; maxNewTokens?: number; draftOnOpen?: boolean }) {
  await openPanel(page, 'settings');
  await page.getByLabel('Draft the report as soon as an image opens').setChecked(s.draftOnOpen ?? false);
  if (s.provider) await page.getByLabel('Execution provider').selectOption(s.provider);
  if (s.temperature !== undefined) await page.getByLabel('Temperature').fill(String(s.temperature));
  if (s.maxNewTokens !== undefined) await page.getByLabel('Max new tokens').fill(String(s.maxNewTokens));
}

/** Clicks "Reload model" and waits for that new load (not the previous one) to finish. */
export async function reloadModel(page: Page): Promise<void> {
  await openPanel(page, 'model');
  await page.getByRole('button', { name: 'Reload model' }).click();
  await page
    .waitForFunction(() => document.querySelector('[data-testid="model-load-status"]')?.getAttribute('data-status') === 'loading', undefined, { timeout: 10_000, polling: 20 })
    .catch(() => {
      // A load from cache can finish between two polls; waitForModel below still checks the end state.
    });
  await waitForModel(page);
}

/** Opens `file` and clicks "Generate report" as soon as it can be clicked (the image encoded). */
export async function openAndGenerate(page: Page, file: string): Promise<void> {
  await page.getByLabel('Open image').setInputFiles(file);
  const generate = page.getByRole('button', { name: 'Generate report' });
  await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
  await generate.click();
}
