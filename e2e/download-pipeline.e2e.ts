// The app's download pipeline under what a real network and a real browser store do, in real
// Chromium, on the tiny model's folder served by a static file server on loopback.
// 1. A connection that drops mid-file (the server destroys the socket: reader.read() throws, not a
// short body): what arrived is kept and the next load asks only for the rest with a Range request.
// At full size this lost everything (the count of bytes read was lost with the throw; see
// docs/benchmarks.md, "Full size"). 2. A full browser store: its quota lowered with CDP's
// Storage.overrideQuotaForOrigin, the app's download pipeline (fetchArtifact, through the
// full-size bench page src/bench/fullsize/, here on the tiny model's folder) must say the store is
// full instead of swallowing the error (as it once did: every later visit downloaded the model
// again, silently). And the pre-download storage check counts WebLLM's folder, which WebLLM
// downloads into its own cache after the app's files (3.6 GB for the 7B).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { buildAndServe, type ServedBuild } from './support/serve-build';
import { FOLDER_PREFIX, serveFolder } from '../src/bench/fullsize/folder-server';
import type { LoadResult, StorageResult } from '../src/bench/fullsize/protocol';
import type { ModelManifest } from '../src/model/manifest';

const FOLDER = fileURLToPath(new URL('../public/models/cxr-llava-tiny/', import.meta.url));
const PAGE = 'src/bench/fullsize/fullsize.html';
const manifest = JSON.parse(readFileSync(`${FOLDER}manifest.json`, 'utf8')) as ModelManifest;
const size = (p: string) => manifest.files.find((f) => f.path === p)!.bytes;

describe('download pipeline: dropped connections and a full store', () => {
  let served: ServedBuild;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let base: string;
  const folderServer = serveFolder(FOLDER.replace(/\/$/, ''));
  const load = (paths: string[]) => page.evaluate(([b, p]) => window.cxrFullsize!.load(b, p), [base, paths] as [string, string[]]) as Promise<LoadResult>;

  beforeAll(async () => {
    served = await buildAndServe({ input: { fullsize: fileURLToPath(new URL(`../${PAGE}`, import.meta.url)) }, previewPlugins: [folderServer.plugin] });
    base = `${served.baseURL}${FOLDER_PREFIX.slice(1)}`;
    browser = await launchBrowser({ webgpu: false });
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(`${served.baseURL}${PAGE}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    cdp = await context.newCDPSession(page);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('a connection dropped mid-file keeps what arrived; the next load fetches only the rest (Range, 206)', async () => {
    const total = size('decoder.onnx');
    folderServer.cutOnce('decoder.onnx', total >> 1);
    const cut = await load(['decoder.onnx']);
    expect(cut.files[0]!.error?.code).toBe('interrupted');
    const kept = Number(cut.files[0]!.error!.message.match(/stopped after (\d+) of/)?.[1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(total >> 1);
    const n0 = folderServer.requests.length;
    const resumed = await load(['decoder.onnx']);
    expect(resumed.files[0]).toMatchObject({ error: null, bytes: total, fromCache: false });
    const reqs = folderServer.requests.slice(n0).filter((r) => r.path === 'decoder.onnx');
    expect(reqs).toEqual([{ path: 'decoder.onnx', range: `bytes=${kept}-`, status: 206, sent: total - kept }]);
  });

  it('a store too small for a file: a clear "storage is full" error naming the file, nothing half-kept', async () => {
    const origin = served.baseURL.replace(/\/$/, '');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 256 * 1024 });
    try {
      const r = await load(['vision.onnx']);
      expect(r.files[0]!.error?.code).toBe('quota');
      expect(r.files[0]!.error?.message).toMatch(/^Browser storage is full: vision\.onnx \(2\.2 MB\) downloaded and verified, but it cannot be kept/);
      const left = (await page.evaluate(([b, p]) => window.cxrFullsize!.storage(b, p, null), [base, ['vision.onnx']] as [string, string[]])) as StorageResult;
      expect(left.appBytes).toBe(size('vision.onnx'));
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    }
    // With room again the same file downloads, is kept, and comes from the cache next time.
    expect((await load(['vision.onnx'])).files[0]).toMatchObject({ error: null, fromCache: false, bytes: size('vision.onnx') });
    expect((await load(['vision.onnx'])).files[0]).toMatchObject({ error: null, fromCache: true });
  });

  it("the storage check counts the WebLLM folder's files not yet in WebLLM's own cache", async () => {
    const folder = manifest.decoder.webllm!.q4f16_1!.modelFolder;
    const inFolder = manifest.files.filter((f) => f.path.startsWith(folder));
    expect(inFolder.map((f) => f.path)).toContain(`${folder}params_shard_0.bin`);
    const all = inFolder.reduce((n, f) => n + f.bytes, 0);
    const check = () => page.evaluate(([b, w]) => window.cxrFullsize!.storage(b, [], w), [base, folder] as [string, string]) as Promise<StorageResult>;
    expect((await check()).webLlmBytes).toBe(all);
    // A shard WebLLM already holds (its Cache Storage, keyed by the file's URL) is not counted again.
    await page.evaluate(async (url) => (await caches.open('webllm/model')).put(url, new Response('shard')), `${base}${folder}params_shard_0.bin`);
    expect((await check()).webLlmBytes).toBe(all - size(`${folder}params_shard_0.bin`));
  });
});
