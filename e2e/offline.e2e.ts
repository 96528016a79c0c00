import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { firstVisit } from './support/first-visit';
import { waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const MODEL = `${baseURL}models/cxr-llava-tiny/`;
const DECODER_BYTES = readFileSync(fileURLToPath(new URL('../public/models/cxr-llava-tiny/decoder.onnx', import.meta.url)));

async function modelLoadStatus(page: Page): Promise<{ status: string | null; text: string | null }> {
  await page.waitForFunction(
    () => ['loaded', 'failed'].includes(document.querySelector('[data-testid="model-load-status"]')?.getAttribute('data-status') ?? ''),
    undefined,
    { timeout: 240_000 },
  );
  const s = page.getByTestId('model-load-status');
  return { status: await s.getAttribute('data-status'), text: await s.textContent() };
}

describe('offline after the first visit', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it('reloads, opens the sample radiograph, reports and answers with the network off, with no failed request', async () => {
    const context = await browser.newContext();
    const page = await firstVisit(context, baseURL);
    const failed: string[] = [];
    context.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    await context.setOffline(true);
    await page.reload();
    await waitForModel(page);
    expect(await page.getByTestId('network-status').getAttribute('data-online')).toBe('false');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The sample radiograph is precached with the app: a first visit needs no file at hand.
    await page.getByRole('button', { name: 'Open the sample radiograph' }).click();
    const generate = page.getByRole('button', { name: 'Generate report' });
    await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
    await generate.click();
    await waitForIdle(page);
    expect((await page.getByRole('textbox', { name: 'Report', exact: true }).inputValue()).length).toBeGreaterThan(0);
    await page.getByLabel('Ask a follow-up question').fill('Is there a pleural effusion?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-role="assistant"][data-streaming="false"]').length === 1, undefined, { timeout: 120_000 });
    expect((await page.locator('[data-role="assistant"] .text').last().textContent())?.length).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    await context.close();
  }, 600_000);

  it('resumes an interrupted download: finished files are not fetched again, the cut file continues with a Range request', async () => {
    const context = await browser.newContext();
    // The first visit's decoder download breaks half way.
    await context.route(`${MODEL}decoder.onnx`, (route) =>
      route.fulfill({ status: 200, body: DECODER_BYTES.subarray(0, DECODER_BYTES.length >> 1), headers: { 'Content-Length': String(DECODER_BYTES.length), 'Content-Type': 'application/octet-stream' } }),
    );
    const page = await context.newPage();
    await page.goto(baseURL);
    const first = await modelLoadStatus(page);
    expect(first.status).toBe('failed');
    expect(first.text).toMatch(/decoder\.onnx/);
    await context.unroute(`${MODEL}decoder.onnx`);

    const requests: { url: string; range: string | undefined }[] = [];
    context.on('request', async (r) => {
      // allHeaders() asks the browser, which fails for a request made as the context closes.
      if (r.url().startsWith(MODEL)) requests.push({ url: r.url().slice(MODEL.length), range: (await r.allHeaders().catch(() => ({}) as Record<string, string>))['range'] });
    });
    await page.reload();
    expect((await modelLoadStatus(page)).status).toBe('loaded');
    const fetched = requests.map((r) => r.url);
    for (const done of ['vision.onnx', 'embed.onnx', 'tokenizer.json']) expect(fetched).not.toContain(done);
    const decoder = requests.filter((r) => r.url === 'decoder.onnx');
    expect(decoder.length).toBeGreaterThan(0);
    expect(decoder.at(-1)!.range).toMatch(/^bytes=[1-9]\d*-$/);
    await context.close();
  }, 600_000);

  it('detects a corrupted cached file: reported when offline, downloaded again when online', async () => {
    const context = await browser.newContext();
    const page = await firstVisit(context, baseURL);
    await page.evaluate(async (url) => {
      const cache = await caches.open('cxr-llava-models-v1');
      await cache.put(url, new Response('not the tokenizer'));
    }, `${MODEL}tokenizer.json`);
    await context.setOffline(true);
    await page.reload();
    const offline = await modelLoadStatus(page);
    expect(offline.status).toBe('failed');
    expect(offline.text).toMatch(/tokenizer\.json is corrupt .*cannot be downloaded again/);

    await context.setOffline(false);
    const refetched: string[] = [];
    context.on('request', (r) => refetched.push(r.url()));
    await page.reload();
    expect((await modelLoadStatus(page)).status).toBe('loaded');
    expect(refetched).toContain(`${MODEL}tokenizer.json`);
    await context.close();
  }, 600_000);
});
