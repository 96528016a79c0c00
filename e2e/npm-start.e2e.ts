import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from './support/browser';
import { openPanel, waitForModel } from './support/reading-room';

// Each run picks its own port so that concurrent runs do not collide.
const PORT = 5200 + (process.pid % 700);

/** The README's first command serves the app; this starts it exactly that way (on a free port). */
describe('npm start', () => {
  let server: ChildProcess;
  let browser: Browser;
  beforeAll(async () => {
    server = spawn('npm', ['start', '--', '--port', String(PORT), '--strictPort'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('npm start did not come up in 60 s')), 60_000);
      server.stdout!.on('data', (d: Buffer) => {
        // Vite may colour the port even so: compare without ANSI escapes.
        // eslint-disable-next-line no-control-regex
        if (d.toString().replace(/\x1b\[[0-9;]*m/g, '').includes(`127.0.0.1:${PORT}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.on('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
  });

  it('serves the page with the capability report, and loads the model it will run', async () => {
    const { page, errors } = await openPage(browser, `http://127.0.0.1:${PORT}/`);
    await page.getByTestId('webgpu-status').waitFor({ state: 'attached', timeout: 60_000 });
    await openPanel(page, 'device');
    expect(await page.getByRole('heading', { name: 'This device' }).count()).toBe(1);
    expect(await page.getByTestId('plan-vision').textContent()).toMatch(/ort-wasm/);
    await page.locator('[data-testid="model-found"], [data-testid="model-missing"]').first().waitFor({ state: 'attached' });
    // The demo model loads at start, through the dev server's ORT runtime route (/ort/<version>/).
    await waitForModel(page);
    expect(await page.getByTestId('model-load-status').textContent()).toContain('onnx · wasm');
    // That route sends COEP, so ORT starts its thread pool (without it: one thread, and why).
    await openPanel(page, 'device');
    expect(await page.getByTestId('wasm-threads').textContent()).toMatch(/; ONNX Runtime uses [2-4]$/);
    expect(errors).toEqual([]);
  });
});
