import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { dicomwebProxy } from './src/dicomweb/vite-proxy.js';
import { wadoWorkerFiles } from './src/imaging/vite-wado-files.js';
import { ORT_RUNTIME_FILES } from './src/encode/ort-env.js';
import { contentSecurityPolicy } from './src/security/vite-csp.js';

// Cross-origin isolation lets ONNX Runtime's wasm backend use threads
// (SharedArrayBuffer). Static hosts must send the same two headers.
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * ORT's runtime files (the Emscripten loader .mjs and its .wasm) are served unbundled under
 * /ort/<version>/: ORT starts its wasm threads as workers from the loader's own URL, which a
 * bundler would rewrite into the app's entry chunk. The version in the path keeps a cached file
 * from meeting another version's JavaScript. src/encode/ort-env.ts points ORT at this folder and
 * picks the build: JSPI where the browser has it, asyncify elsewhere.
 */
const ORT_DIST = fileURLToPath(new URL('./node_modules/onnxruntime-web/dist/', import.meta.url));
const ORT_VERSION = (JSON.parse(readFileSync(new URL('./node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const ORT_FILES = Object.values(ORT_RUNTIME_FILES).flatMap((f) => [f.mjs, f.wasm]);
function ortRuntimeFiles(): Plugin {
  return {
    name: 'ort-runtime-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = req.url?.match(/^\/ort\/([\w.-]+)\/([\w.-]+)$/);
        if (!m || m[1] !== ORT_VERSION || !ORT_FILES.includes(m[2]!)) return next();
        res.setHeader('Content-Type', m[2]!.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        // This middleware answers before Vite's own, which add server.headers: ORT starts its wasm
        // threads as workers from the .mjs, and under COEP a worker's script must say so itself
        // (without it the browser blocks the worker, and ort-env.ts falls back to one thread).
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        createReadStream(`${ORT_DIST}${m[2]}`).pipe(res);
      });
    },
    generateBundle() {
      for (const name of ORT_FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${ORT_VERSION}/${name}`, source: readFileSync(`${ORT_DIST}${name}`) });
      }
    },
  };
}

/**
 * The service worker (Workbox through vite-plugin-pwa) precaches the app shell, ORT's JSPI runtime
 * and the codecs (cornerstone-wado-image-loader's worker folder under /vendor/ included), so after one visit the app starts with the network off. Model files are NOT
 * precached: the app keeps them in its own hash-checked cache (src/model/artifacts.ts) and WebLLM
 * in its own; manifests are fetched network-first so a newer model is seen when online.
 * ORT's asyncify runtime (26.8 MB, for browsers without JSPI) is cached when such a browser
 * first loads it, not precached where it would never run.
 * 'prompt': a new version waits for the user's reload (never swapped in mid-generation).
 */
function offlineApp() {
  return VitePWA({
    registerType: 'prompt',
    injectRegister: false,
    manifest: {
      name: 'CXR-LLaVA Web',
      short_name: 'CXR-LLaVA',
      description: 'Chest radiograph reading assistant that runs on your own GPU',
      theme_color: '#111418',
      background_color: '#111418',
      display: 'standalone',
      icons: [
        { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    },
    workbox: {
      // samples/cxr-sample.jpg: "Open the sample radiograph" works offline too.
      globPatterns: ['**/*.{js,mjs,css,html,wasm,svg,png,onnx}', 'samples/*.jpg'],
      globIgnores: ['models/**', 'ort/*/*.asyncify.*'],
      // ORT's wasm runtime is 16.7 MB (JSPI).
      maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/models\//],
      runtimeCaching: [
        {
          urlPattern: ({ url }) => /\/ort\/[^/]+\/ort-wasm-simd-threaded\.asyncify\.(mjs|wasm)$/.test(url.pathname),
          handler: 'CacheFirst',
          // Two files per ORT version; older versions' go once newer ones come. The server sends
          // `Vary: Origin`, and the stored request has no Origin while a module import has one:
          // without ignoreVary the cached loader is never matched (offline, it fails to load).
          options: { cacheName: 'cxr-llava-ort-asyncify', expiration: { maxEntries: 4 }, matchOptions: { ignoreVary: true } },
        },
        {
          urlPattern: ({ url }) => /\/models\/.*\/manifest\.json$/.test(url.pathname),
          handler: 'NetworkFirst',
          options: { cacheName: 'cxr-llava-manifests', networkTimeoutSeconds: 5 },
        },
      ],
    },
  });
}

export default defineConfig({
  // wadoWorkerFiles(): cornerstone-wado-image-loader's decode worker, its chunks and codecs, served
  // unbundled under /vendor/ (src/imaging/vite-wado-files.ts); precached like every .js/.wasm.
  plugins: [react(), ortRuntimeFiles(), wadoWorkerFiles(isolationHeaders), contentSecurityPolicy(), offlineApp(), dicomwebProxy()],
  // contentSecurityPolicy() adds the Content-Security-Policy header to both (src/security/csp.ts).
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // ORT's "extern wasm" entries do not embed their loader or reference their .wasm, so the build
  // carries one copy of each, under /ort/<version>/.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
});
