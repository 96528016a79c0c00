// Type declarations for the untyped JavaScript packages the imaging module uses.

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer, numBytes?: number);
    /** Decodes a lossless JPEG codestream; samples are 1 or 2 bytes (numBytes). */
    decode(buffer: ArrayBufferLike, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}

/** An Emscripten module factory of one of the @cornerstonejs/codec-* packages. */
type CornerstoneCodecFactory = (options?: {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (file: string, prefix: string) => string;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<Record<string, unknown>>;

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: CornerstoneCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: CornerstoneCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: CornerstoneCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: CornerstoneCodecFactory;
  export default factory;
}

/** The parts of cornerstone-core 2.6 the viewer uses (the package ships no types). */
declare module 'cornerstone-core' {
  export interface CornerstoneViewport {
    scale: number;
    translation: { x: number; y: number };
    voi: { windowWidth: number; windowCenter: number };
    invert: boolean;
    pixelReplication: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
    voiLUT?: unknown;
  }
  export interface CornerstoneImage {
    imageId: string;
    minPixelValue: number;
    maxPixelValue: number;
    slope: number;
    intercept: number;
    windowCenter: number;
    windowWidth: number;
    getPixelData: () => ArrayLike<number>;
    rows: number;
    columns: number;
    height: number;
    width: number;
    color: boolean;
    rgba: boolean;
    columnPixelSpacing?: number;
    rowPixelSpacing?: number;
    invert: boolean;
    sizeInBytes: number;
  }
  export const EVENTS: { IMAGE_RENDERED: string; ELEMENT_RESIZED: string };
  export function enable(element: HTMLElement, options?: Record<string, unknown>): void;
  export function disable(element: HTMLElement): void;
  export function displayImage(element: HTMLElement, image: CornerstoneImage, viewport?: Partial<CornerstoneViewport>): void;
  export function getViewport(element: HTMLElement): CornerstoneViewport | undefined;
  export function setViewport(element: HTMLElement, viewport: Partial<CornerstoneViewport>): void;
  export function getDefaultViewportForImage(element: HTMLElement, image: CornerstoneImage): CornerstoneViewport;
  export function reset(element: HTMLElement): void;
  export function fitToWindow(element: HTMLElement): void;
  export function resize(element: HTMLElement, forceFitToWindow?: boolean): void;
  export function pixelToCanvas(element: HTMLElement, pt: { x: number; y: number }): { x: number; y: number };
  export function canvasToPixel(element: HTMLElement, pt: { x: number; y: number }): { x: number; y: number };
}

// exifr's ES module build, named by path: the package's "main" is a UMD bundle, whose named
// exports Node's ESM loader (the CLI, under tsx) cannot see. The types are the package's own.
declare module 'exifr/dist/full.esm.mjs' {
  export { orientation } from 'exifr';
}
