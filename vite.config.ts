import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { dicomwebProxy } from './src/dicomweb/vite-proxy.js';
import { wadoWorkerFiles } from './src/imaging/vite-wado-files.js';
import { contentSecurityPolicy } from './src/security/vite-csp.js';

// Cross-origin isolation lets ONNX Runtime's wasm backend use threads
// (SharedArrayBuffer). Static hosts must send the same two headers.
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * ORT's runtime files (the Emscripten loader .mjs and its .wasm) are served unbundled under
 * /ort/: ORT starts its wasm threads as workers from the loader's own URL, which a bundler
 * would rewrite into the app's entry chunk. src/encode/ort-env.ts points ORT at this folder.
 */
const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
function ortRuntimeFiles(): Plugin {
  const dist = (name: string) =>
    fileURLToPath(new URL(`./node_modules/onnxruntime-web/dist/${name}`, import.meta.url));
  return {
    name: 'ort-runtime-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.match(/^\/ort\/([\w.-]+)$/)?.[1];
        if (!name || !ORT_FILES.includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        createReadStream(dist(name)).pipe(res);
      });
    },
    generateBundle() {
      for (const name of ORT_FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${name}`, source: readFileSync(dist(name)) });
      }
    },
  };
}

/**
 * The service worker (Workbox through vite-plugin-pwa) precaches the app shell, ORT's runtime and
 * the codecs (cornerstone-wado-image-loader's worker folder under /vendor/ included), so after one visit the app starts with the network off. Model files are NOT
 * precached: the app keeps them in its own hash-checked cache (src/model/artifacts.ts) and WebLLM
 * in its own; manifests are fetched network-first so a newer model is seen when online.
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
      globIgnores: ['models/**'],
      // ORT's wasm runtime is ~28 MB.
      maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/models\//],
      runtimeCaching: [
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
  // ORT's "extern wasm" entry does not embed its loader or reference its .wasm, so the build
  // carries one copy of each, under /ort/.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
});
