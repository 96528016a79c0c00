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
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
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
