// Makes sure the system packages the tests need are here, installing Debian's when running as
// root with apt. Never downloads a browser or anything else from outside the package registries.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROME_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const PY_MODULES = ['torch', 'onnx', 'PIL', 'numpy', 'pydicom'];

/** Each need: how to tell it is met, and the Debian packages that meet it. */
const needs = [
  {
    what: 'Chromium (e2e tests; WebGPU via SwiftShader)',
    met: () => !!process.env.CHROME_PATH && existsSync(process.env.CHROME_PATH) || CHROME_CANDIDATES.some(existsSync),
    apt: ['chromium'],
    help: 'Install Chromium or Chrome and set CHROME_PATH to its executable.',
  },
  {
    what: 'the Vulkan loader (Dawn WebGPU in Node)',
    met: () => ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some(existsSync),
    apt: ['libvulkan1'],
    help: 'Install libvulkan1 (the Vulkan loader).',
  },
  {
    what: `Python with ${PY_MODULES.join(', ')} (model converter and PIL/PyTorch references)`,
    met: () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${PY_MODULES.join(', ')}`]).status === 0,
    apt: ['python3', 'python3-torch', 'python3-onnx', 'python3-pil', 'python3-numpy', 'python3-pydicom'],
    help: `Install torch, onnx, pillow and numpy for ${PYTHON}, or set PYTHON to an interpreter that has them.`,
  },
  {
    what: 'dcmtk (DICOM fixtures)',
    met: () => existsSync('/usr/bin/img2dcm'),
    apt: ['dcmtk'],
    help: 'Install dcmtk.',
  },
  {
    what: 'Orthanc with its DICOMweb plugin (the DICOM server the hospital-workflow e2e talks to)',
    met: () => existsSync('/usr/sbin/Orthanc') && existsSync('/usr/share/orthanc/plugins/libOrthancDicomWeb.so'),
    apt: ['orthanc', 'orthanc-dicomweb'],
    help: 'Install Debian\'s orthanc and orthanc-dicomweb packages.',
  },
  {
    what: "dicom3tools' dciodvfy (independent check of the DICOM SR the app writes)",
    met: () => existsSync('/usr/bin/dciodvfy'),
    apt: ['dicom3tools'],
    help: 'Install dicom3tools.',
  },
];

const missing = needs.filter((n) => !n.met());
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  console.error('Missing system packages for the tests:');
  for (const n of missing) console.error(`  - ${n.what}: ${n.help}`);
  console.error(isRoot ? 'apt-get was not found.' : 'Run as root to let this script install them with apt-get.');
  process.exit(1);
}

const packages = missing.flatMap((n) => n.apt);
console.log(`Installing Debian packages: ${packages.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
const still = needs.filter((n) => !n.met());
if (still.length) {
  for (const n of still) console.error(`Still missing after apt-get: ${n.what}. ${n.help}`);
  process.exit(1);
}
