import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { build, preview, type PreviewServer } from 'vite';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

let server: PreviewServer | undefined;

/**
 * The e2e tests run against the production build served by `vite preview` (with the same
 * COOP/COEP headers a user gets), so what is tested is what ships.
 */
export default async function setup(project: TestProject) {
  // A private output folder, so that concurrent runs (and `npm run build`) never share one.
  const outDir = mkdtempSync(join(tmpdir(), 'cxr-e2e-dist-'));
  // Vitest sets NODE_ENV=test, which makes Vite build in development mode (no service worker,
  // dev-only code paths). The e2e tests must run what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  server = await preview({
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    logLevel: 'warn',
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  project.provide('baseURL', `http://127.0.0.1:${address.port}/`);
  return async () => {
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
