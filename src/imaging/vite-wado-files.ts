/**
 * Vite plugin: serves cornerstone-wado-image-loader's decode worker and its files, unchanged, from
 * node_modules at `${base}vendor/cornerstone-wado-image-loader-<version>/` (see wado.ts).
 * - build: copies them into the output (the service worker's precache globs pick them up);
 * - dev and preview: serves them with the isolation headers and the worker's own CSP.
 *
 * The worker is webpack's classic-script build: it finds its chunks and codec .wasm files from its
 * own URL (auto publicPath from self.location), so the folder is served as one, never bundled.
 * Its Emscripten glue (embind) builds functions with `new Function`, which needs 'unsafe-eval';
 * a dedicated worker runs under the CSP of its own response, so that policy is sent on these files
 * only (src/security/csp.ts: wadoWorkerCsp) and the page and the app's workers stay strict.
 *
 * Runs in Node (vite.config.ts), never in the app.
 */
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';
import { wadoWorkerCsp } from '../security/csp.js';
import { isWadoRuntimeFile, WADO_DIST_DIR, WADO_PACKAGE, WADO_PUBLIC_DIR, WADO_VERSION, WADO_WORKER_FILE } from './wado.js';

/** The pinned package's runtime files: name -> absolute path. Throws if the version differs. */
export function wadoRuntimeFiles(root = process.cwd()): Map<string, string> {
  const require = createRequire(path.join(root, 'package.json'));
  const pkgDir = path.dirname(require.resolve(`${WADO_PACKAGE}/package.json`));
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  if (version !== WADO_VERSION) {
    throw new Error(
      `${WADO_PACKAGE} ${version} is installed, but the app speaks the decode-worker protocol of ${WADO_VERSION} ` +
        `(src/imaging/wado.ts). Run \`npm ci\`, or check the new version's worker and change WADO_VERSION.`,
    );
  }
  const dist = path.join(pkgDir, WADO_DIST_DIR);
  const files = new Map(
    readdirSync(dist)
      .filter(isWadoRuntimeFile)
      .map((name) => [name, path.join(dist, name)] as const),
  );
  if (!files.has(WADO_WORKER_FILE)) throw new Error(`${WADO_PACKAGE} ${version} has no ${WADO_DIST_DIR}/${WADO_WORKER_FILE}.`);
  return files;
}

function contentType(name: string): string {
  return name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8';
}

export function wadoWorkerFiles(isolationHeaders: Record<string, string>): Plugin {
  let files = new Map<string, string>();
  let prefix = `/${WADO_PUBLIC_DIR}`;
  let outDir = '';

  /** Serves one of the files from `dir` (or node_modules), with this folder's own headers. */
  const middleware =
    (from: 'node_modules' | 'outDir'): Connect.NextHandleFunction =>
    (req, res, next) => {
      const pathname = (req.url ?? '').split('?')[0]!;
      if (!pathname.startsWith(prefix) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
      const name = decodeURIComponent(pathname.slice(prefix.length));
      const file = from === 'outDir' ? path.join(outDir, WADO_PUBLIC_DIR, name) : files.get(name);
      if (!files.has(name) || !file || !existsSync(file)) return next();
      for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
      res.setHeader('Content-Security-Policy', wadoWorkerCsp());
      res.setHeader('Content-Type', contentType(name));
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    };

  return {
    name: 'cornerstone-wado-image-loader-worker',
    configResolved(config) {
      files = wadoRuntimeFiles(config.root);
      prefix = `${config.base.endsWith('/') ? config.base : `${config.base}/`}${WADO_PUBLIC_DIR}`;
      outDir = path.resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(middleware('node_modules'));
    },
    configurePreviewServer(server) {
      // Before Vite's static file server, which would send the page's CSP.
      server.middlewares.use(middleware('outDir'));
    },
    generateBundle() {
      for (const [name, file] of files) {
        this.emitFile({ type: 'asset', fileName: `${WADO_PUBLIC_DIR}${name}`, source: readFileSync(file) });
      }
    },
  };
}
