import { chromium, type Browser, type Page } from 'playwright-core';
import { findChrome } from './chrome-path';

/** Flags these machines need (see shared TESTING.md): no network chatter, no sandbox as root. */
const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // V8 flags for experiments only, e.g. CXR_JS_FLAGS='--no-liftoff --no-wasm-lazy-compilation'
  // (eager optimised wasm) showed where the first image's extra time goes (docs/benchmarks.md).
  ...(process.env.CXR_JS_FLAGS ? [`--js-flags=${process.env.CXR_JS_FLAGS}`] : []),
];

export interface LaunchOptions {
  /** false launches without --enable-unsafe-webgpu, i.e. a browser with no WebGPU adapter. */
  webgpu?: boolean;
}

export async function launchBrowser({ webgpu = true }: LaunchOptions = {}): Promise<Browser> {
  const executablePath = findChrome();
  if (!executablePath) {
    throw new Error('No Chromium found. Run `node scripts/ensure-system-deps.mjs` as root or set CHROME_PATH.');
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...BASE_FLAGS, ...(webgpu ? ['--enable-unsafe-webgpu'] : [])],
  });
}

/** A page that fails the test on any uncaught page error. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}
