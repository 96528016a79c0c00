import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

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
const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];
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

export default defineConfig({
  plugins: [react(), ortRuntimeFiles()],
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
