/**
 * cornerstone-wado-image-loader, pinned: the version, where its decode worker is served, and which
 * transfer syntaxes go to it. Plain constants, read by the browser side (wado-frame-decoder.ts) and
 * by the Vite plugin that serves the files (vite-wado-files.ts), so the two cannot disagree.
 */
export const WADO_PACKAGE = 'cornerstone-wado-image-loader';
export const WADO_VERSION = '4.13.2';
export const WADO_DECODER_NAME = `${WADO_PACKAGE} ${WADO_VERSION}`;

/** The package folder whose files are served as they are: its standalone (non-inline) worker build. */
export const WADO_DIST_DIR = 'dist/dynamic-import';
/** Where they are served, below the app's base URL; versioned, so a new version is a new path. */
export const WADO_PUBLIC_DIR = `vendor/${WADO_PACKAGE}-${WADO_VERSION}/`;
/** The worker: a classic script that loads its chunks and codec .wasm files relative to its own URL. */
export const WADO_WORKER_FILE = 'index.worker.min.worker.js';

/** Which of the package's dist files are served: the worker, its chunks and the codecs. */
export function isWadoRuntimeFile(name: string): boolean {
  return /^[\w.-]+\.min\.worker\.js$/.test(name) || /^[0-9a-f]+\.wasm$/.test(name);
}

/**
 * Transfer syntaxes whose frames wado's worker decodes. Measured against the independent
 * references in e2e/fixtures/imaging/expected.json (README "Imaging"); the others stay with
 * decode-core's own codecs:
 * - JPEG Extended (.51): wado decodes it, 8- and 12-bit, with its JavaScript port of pdf.js's
 *   jpg.js, whose IDCT is not libjpeg's: 8-bit differs from dcmtk by 1 on 623 of 9216 pixels of the
 *   fixture, 12-bit on 9197 of 9216 pixels, by up to 16.
 * - HTJ2K (.201-.203): 4.13.2 predates these UIDs (it knows only the draft 3.2.840.10008.1.2.4.96).
 * - Native (uncompressed, deflated, big endian): no codec; dicom-parser's bytes are the pixels.
 */
export const WADO_SYNTAXES: ReadonlySet<string> = new Set([
  '1.2.840.10008.1.2.4.50', // JPEG Baseline: libjpeg-turbo
  '1.2.840.10008.1.2.4.57', // JPEG Lossless: jpeg-lossless-decoder-js
  '1.2.840.10008.1.2.4.70', // JPEG Lossless SV1
  '1.2.840.10008.1.2.4.80', // JPEG-LS: CharLS
  '1.2.840.10008.1.2.4.81', // JPEG-LS near-lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 lossless: OpenJPEG
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.5', // RLE Lossless: its own JavaScript
]);
