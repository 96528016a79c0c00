import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview, type PluginOption } from 'vite';

export interface ServedBuild {
  /** e.g. http://127.0.0.1:41234/ */
  baseURL: string;
  /** The built app this server serves (removed by close()). */
  outDir: string;
  close(): Promise<void>;
}

export interface ServeBuildOptions {
  /** HTML entries to build instead of index.html (the benchmark page). */
  input?: Record<string, string>;
  /** Extra plugins for the preview server (e.g. routes to files outside the build). */
  previewPlugins?: PluginOption[];
  /** Build-time constants (e.g. VITE_ORT_BUILD, which forces one of ORT's builds). */
  define?: Record<string, string>;
}

/**
 * A production build (the same vite.config.ts, COOP/COEP and CSP headers a user gets) served by
 * `vite preview` on a free port. The e2e tests and the browser benchmark run against it, so what
 * they run is what ships.
 */
export async function buildAndServe(o: ServeBuildOptions = {}): Promise<ServedBuild> {
  // A private output folder, so that concurrent runs (and `npm run build`) never share one.
  const outDir = mkdtempSync(join(tmpdir(), 'cxr-e2e-dist-'));
  // Vitest sets NODE_ENV=test, which makes Vite build in development mode (no service worker,
  // dev-only code paths). What runs must be what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'warn', mode: 'production', ...(o.define ? { define: o.define } : {}), build: { outDir, emptyOutDir: true, ...(o.input ? { rolldownOptions: { input: o.input } } : {}) } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const served = await serveBuilt(outDir, o.previewPlugins ?? []);
  return {
    ...served,
    close: async () => {
      await served.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Another `vite preview` of a build made by buildAndServe (e.g. with a route served otherwise); close() leaves the build. */
export async function serveBuilt(outDir: string, plugins: PluginOption[] = []): Promise<ServedBuild> {
  const server = await preview({
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    logLevel: 'warn',
    plugins,
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { baseURL: `http://127.0.0.1:${address.port}/`, outDir, close: () => server.close() };
}
