// Builds what run-device-bench.sh carries to the GPU machine: one esbuild bundle of
// src/bench/device/entry.ts plus only the runtime files it loads at run time, packed as
// .device/vision-bench/payload.tar.xz (xz shrinks ORT's two WebGPU wasm builds, 55 MB, to ~5 MB
// together: they share most code). Checks the 64 MiB travel budget (tracked + untracked files +
// carried paths).
//   node src/bench/device/bundle.mjs [--out DIR] [--with-wasm] [--image FILE] [--no-pack] [--keep-stage]
// --with-wasm adds ORT's plain wasm build (the dry run here uses it; the device run does not).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const outDir = path.resolve(root, opt('out', '.device/vision-bench'));
const withWasm = args.includes('--with-wasm');
const image = path.resolve(root, opt('image', '../shared/data/cxr-sample.jpg'));
const BUDGET = 64 * 2 ** 20;

const stage = path.join(outDir, 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// 1. The bundle. Packages that find files next to themselves at run time stay external and
//    travel as files: ORT (wasm + glue by URL), Dawn (native addon), web-tokenizers (loaded from
//    a .cjs copy), the JPEG codec (its .wasm read through require.resolve).
const external = ['onnxruntime-web', 'onnxruntime-web/*', 'webgpu', '@mlc-ai/web-tokenizers', '@mlc-ai/web-tokenizers/*', '@cornerstonejs/*'];
await build({
  entryPoints: [path.join(root, 'src/bench/device/entry.ts')],
  outfile: path.join(stage, 'bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  logLevel: 'warning',
  // CommonJS dependencies bundled into an ES module still call require().
  banner: { js: "import { createRequire as __cxrCreateRequire } from 'node:module'; const require = __cxrCreateRequire(import.meta.url);" },
});

// 2. Runtime files, in a node_modules beside the bundle.
const nm = path.join(root, 'node_modules');
const ortFiles = [
  'package.json',
  'dist/ort.min.mjs', // JSEP build (the app's default entry in the browser)
  'dist/ort-wasm-simd-threaded.jsep.mjs',
  'dist/ort-wasm-simd-threaded.jsep.wasm',
  'dist/ort.webgpu.bundle.min.mjs', // onnxruntime-web/webgpu: native WebGPU EP
  'dist/ort-wasm-simd-threaded.asyncify.mjs',
  'dist/ort-wasm-simd-threaded.asyncify.wasm',
  ...(withWasm ? ['dist/ort.node.min.mjs', 'dist/ort-wasm-simd-threaded.mjs', 'dist/ort-wasm-simd-threaded.wasm'] : []),
];
const files = [
  ...ortFiles.map((f) => `onnxruntime-web/${f}`),
  'webgpu/package.json',
  'webgpu/index.js',
  'webgpu/dist/linux-x64/dawn.node',
  '@mlc-ai/web-tokenizers/package.json',
  '@mlc-ai/web-tokenizers/lib/index.js',
  '@cornerstonejs/codec-libjpeg-turbo-8bit/package.json',
  '@cornerstonejs/codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.js',
  '@cornerstonejs/codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.wasm',
  // ort.node.min.mjs (wasm only) imports onnxruntime-common; the browser builds inline it.
  ...(withWasm
    ? ['onnxruntime-common/package.json', ...readdirSync(path.join(root, 'node_modules/onnxruntime-common/dist/esm')).filter((f) => f.endsWith('.js') || f === 'package.json').map((f) => `onnxruntime-common/dist/esm/${f}`)]
    : []),
];
for (const f of files) {
  const src = path.join(nm, f);
  if (!existsSync(src)) throw new Error(`missing ${src} (npm install?)`);
  const dst = path.join(stage, 'node_modules', f);
  mkdirSync(path.dirname(dst), { recursive: true });
  cpSync(src, dst);
}
writeFileSync(path.join(stage, 'package.json'), '{ "type": "module", "private": true }\n');

// 3. Travel budget: everything the device tool sends with this payload.
const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'buffer', maxBuffer: 64 * 2 ** 20 });
const listed = [...git('ls-files', '-z').toString().split('\0'), ...git('ls-files', '-z', '--others', '--exclude-standard').toString().split('\0')].filter(Boolean);
let tree = 0;
for (const f of new Set(listed)) {
  try {
    const s = statSync(path.join(root, f));
    if (s.isFile()) tree += s.size;
  } catch {
    /* deleted in the work tree */
  }
}
const du = (p) => {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((a, n) => a + du(path.join(p, n)), 0) : s.size;
};
const deviceBase = du(path.join(root, '.device/node.xz')) + du(path.join(root, '.device/gl')) + du(path.join(root, '.device/enter.sh'));
if (!deviceBase) console.warn('note: .device/node.xz is missing: run `bash ../shared/device/prepare.sh` first');

const pack = () => {
  rmSync(path.join(outDir, 'payload.tar.xz'), { force: true });
  execFileSync('bash', ['-c', `tar -C "${stage}" -cf - . | xz -9 -T2 > "${path.join(outDir, 'payload.tar.xz')}"`], { stdio: 'inherit' });
  return statSync(path.join(outDir, 'payload.tar.xz')).size;
};

// 4. The sample radiograph for the pipeline bench, if it fits (else the script uses a fixture).
rmSync(path.join(stage, 'cxr-sample.jpg'), { force: true });
if (existsSync(image)) cpSync(image, path.join(stage, 'cxr-sample.jpg'));
if (args.includes('--no-pack')) {
  console.log(`staged in ${path.relative(root, stage)} (${(du(stage) / 2 ** 20).toFixed(1)} MiB unpacked); not packed`);
  process.exit(0);
}
let payload = pack();
if (tree + deviceBase + payload > BUDGET && existsSync(path.join(stage, 'cxr-sample.jpg'))) {
  console.warn('over budget with the sample image: leaving it out (the pipeline bench then decodes a small fixture)');
  rmSync(path.join(stage, 'cxr-sample.jpg'));
  payload = pack();
}
const mib = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;
const total = tree + deviceBase + payload;
console.log(
  `payload ${mib(payload)} (${path.relative(root, outDir)}/payload.tar.xz) + .device node/gl ${mib(deviceBase)} + working tree ${mib(tree)} = ${mib(total)} of ${mib(BUDGET)}` +
    (total > BUDGET ? '  OVER BUDGET: the device call would be refused' : ''),
);
if (!args.includes('--keep-stage')) rmSync(stage, { recursive: true, force: true });
if (total > BUDGET) process.exit(2);
