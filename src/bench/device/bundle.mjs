// Builds what run-device-bench.sh carries to the GPU machine, into .device/vision-bench/:
//   payload.tar.xz  one esbuild bundle of src/bench/device/entry.ts (bench.mjs), only the runtime
//                   files it loads at run time (ORT's two WebGPU builds, Dawn's dawn.node, the
//                   tokenizer and JPEG codec) and this machine's Node binary, both stripped of
//                   symbols (-2.7 MB packed); xz packs ORT's two wasm builds (55 MB) into ~5 MB
//   cxr-sample.jpg  the pipeline bench's image, only when it fits the budget
// and checks the device tool's 64 MiB travel budget: tracked + untracked files + the carried
// .device/gl, .device/enter.sh (from ../shared/device/prepare.sh) and .device/vision-bench.
//   node src/bench/device/bundle.mjs [--out DIR] [--with-wasm] [--image FILE] [--node PATH] [--no-pack] [--keep-stage]
// --with-wasm adds ORT's plain wasm build (the dry run here uses it; the device run does not).
// --no-pack leaves the files unpacked in DIR/stage (the dry run runs from there).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
const image = path.resolve(root, opt('image', 'public/samples/cxr-sample.jpg'));
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
  'dist/ort.min.mjs', // JSEP build (the app's WebGPU build before the native one; for comparison)
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

// Node itself (the GPU machine has none): this machine's binary, like prepare.sh's node.xz, but
// stripped; enter.sh then finds it in /tmp/nodebin and skips .device/node.xz.
const strip = (file) => {
  try {
    execFileSync('strip', ['--strip-unneeded', file]);
  } catch (err) {
    console.warn(`strip ${path.basename(file)} failed (${err.message.split('\n')[0]}): carried unstripped`);
  }
};
cpSync(realpathSync(opt('node', process.execPath)), path.join(stage, 'node'));
strip(path.join(stage, 'node'));
strip(path.join(stage, 'node_modules/webgpu/dist/linux-x64/dawn.node'));

const du = (p) => {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((a, n) => a + du(path.join(p, n)), 0) : s.size;
};
const mib = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;
if (args.includes('--no-pack')) {
  console.log(`staged in ${path.relative(root, stage)} (${mib(du(stage))} unpacked); not packed`);
  process.exit(0);
}

// 3. Pack.
rmSync(path.join(outDir, 'payload.tar.xz'), { force: true });
rmSync(path.join(outDir, 'cxr-sample.jpg'), { force: true });
execFileSync('bash', ['-c', `tar -C "${stage}" -cf - . | xz -9 -T2 > "${path.join(outDir, 'payload.tar.xz')}"`], { stdio: 'inherit' });
if (!args.includes('--keep-stage')) rmSync(stage, { recursive: true, force: true });

// 4. Travel budget: everything the device tool sends.
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
const deviceBase = du(path.join(root, '.device/gl')) + du(path.join(root, '.device/enter.sh'));
if (!existsSync(path.join(root, '.device/enter.sh'))) console.warn('note: .device/gl and .device/enter.sh are missing: run `bash ../shared/device/prepare.sh` first');
const payload = du(path.join(outDir, 'payload.tar.xz'));
// The image (JPEG: xz gains nothing) goes beside the payload, only if it fits with 1 MiB to spare
// for files others add before the call.
if (existsSync(image) && tree + deviceBase + payload + statSync(image).size <= BUDGET - 2 ** 20) {
  cpSync(image, path.join(outDir, 'cxr-sample.jpg'));
} else if (existsSync(image)) {
  console.warn('the sample image does not fit the budget: the pipeline bench will decode a small fixture instead');
}
const carried = du(outDir) + deviceBase;
const total = tree + carried;
console.log(
  `carry .device/gl .device/enter.sh ${path.relative(root, outDir)}: ${mib(carried)} (payload ${mib(payload)}) + working tree ${mib(tree)} = ${mib(total)} of ${mib(BUDGET)}` +
    (total > BUDGET ? '  OVER BUDGET: the device call would be refused' : ''),
);
if (total > BUDGET) process.exit(2);
