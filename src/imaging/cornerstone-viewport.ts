/**
 * The only file that talks to cornerstone-core: turns a DecodedImage into a Cornerstone image
 * and drives one viewport. A move to @cornerstonejs/core changes this file, not the UI.
 *
 * Windows are kept in DICOM terms (PS3.3 C.11.2.1.2: centre c, width w). Cornerstone's linear
 * VOI is ((x - c') / w' + 0.5) * 255, which equals DICOM's with c' = c - 0.5 and w' = w - 1, so
 * the default view matches default-voi.ts (the model input) to rounding.
 */
import * as cornerstoneNs from 'cornerstone-core';
import type { CornerstoneImage, CornerstoneViewport } from 'cornerstone-core';
import { modalityRange } from './default-voi';
import type { LensView } from './magnify';
import type { ImagePoint } from './measure';
import { axesOf, initialWindow, type PresentedView, type Window } from './presented-view';
import type { DecodedImage } from './types';

type Cornerstone = typeof cornerstoneNs;
const cornerstone: Cornerstone = (cornerstoneNs as unknown as { default?: Cornerstone }).default ?? cornerstoneNs;

let serial = 0;

function toCornerstoneImage(img: DecodedImage): CornerstoneImage {
  const win = initialWindow(img);
  return {
    imageId: `cxr:${++serial}`,
    minPixelValue: img.minStored,
    maxPixelValue: img.maxStored,
    slope: img.slope,
    intercept: img.intercept,
    windowCenter: win.center - 0.5,
    windowWidth: Math.max(win.width - 1, 1e-3),
    getPixelData: () => img.pixels,
    rows: img.height,
    columns: img.width,
    height: img.height,
    width: img.width,
    color: false,
    rgba: false,
    columnPixelSpacing: img.pixelSpacing?.[1],
    rowPixelSpacing: img.pixelSpacing?.[0],
    invert: img.invert,
    sizeInBytes: img.pixels.byteLength,
  };
}

export interface ViewState {
  window: Window;
  invert: boolean;
  scale: number;
  rotation: number;
  hflip: boolean;
  vflip: boolean;
  /** Where the image's corners are on the canvas (device pixels): x, y, width, height. */
  imageRect: [number, number, number, number];
}

/** One Cornerstone viewport on an element, with the operations the viewer offers. */
export class Viewport {
  private image: DecodedImage | null = null;
  private enabled = false;

  constructor(private readonly element: HTMLElement) {}

  show(img: DecodedImage): void {
    if (!this.enabled) {
      cornerstone.enable(this.element);
      this.enabled = true;
    }
    this.image = img;
    const csImage = toCornerstoneImage(img);
    const viewport = cornerstone.getDefaultViewportForImage(this.element, csImage);
    cornerstone.displayImage(this.element, csImage, viewport);
    cornerstone.fitToWindow(this.element);
  }

  dispose(): void {
    if (this.enabled) cornerstone.disable(this.element);
    this.enabled = false;
    this.image = null;
  }

  /** Whether `img` is the image on show. */
  shows(img: DecodedImage): boolean {
    return this.enabled && this.image === img;
  }

  get hasImage(): boolean {
    return this.enabled && !!this.image;
  }

  private update(change: (v: CornerstoneViewport) => Partial<CornerstoneViewport>): void {
    if (!this.hasImage) return;
    const v = cornerstone.getViewport(this.element);
    if (v) cornerstone.setViewport(this.element, change(v));
  }

  setWindow(w: Window): void {
    this.update(() => ({ voi: { windowCenter: w.center - 0.5, windowWidth: Math.max(w.width - 1, 1e-3) } }));
  }

  /** Window/level by a mouse drag: right/left widens/narrows, down/up raises/lowers the level. */
  dragWindow(dx: number, dy: number): void {
    const img = this.image;
    if (!img) return;
    const { lo, hi } = modalityRange(img);
    const step = Math.max((hi - lo) / 512, img.identity8 ? 0.5 : 1e-3);
    const cur = this.state()?.window;
    if (!cur) return;
    this.setWindow({ center: cur.center + dy * step, width: Math.max(1, cur.width + dx * step) });
  }

  pan(dx: number, dy: number): void {
    this.update((v) => ({ translation: { x: v.translation.x + dx / v.scale, y: v.translation.y + dy / v.scale } }));
  }

  zoom(factor: number): void {
    this.update((v) => ({ scale: Math.min(40, Math.max(0.05, v.scale * factor)) }));
  }

  toggleInvert(): void {
    this.update((v) => ({ invert: !v.invert }));
  }

  rotate(degrees: number): void {
    this.update((v) => ({ rotation: (((v.rotation + degrees) % 360) + 360) % 360 }));
  }

  flip(axis: 'h' | 'v'): void {
    this.update((v) => (axis === 'h' ? { hflip: !v.hflip } : { vflip: !v.vflip }));
  }

  /** Back to the opening view: default window, no invert toggled, no rotation, fitted. */
  reset(): void {
    if (!this.hasImage) return;
    cornerstone.reset(this.element);
    cornerstone.fitToWindow(this.element);
  }

  fit(): void {
    if (this.hasImage) cornerstone.fitToWindow(this.element);
  }

  resize(): void {
    if (this.enabled) cornerstone.resize(this.element, false);
  }

  /** Called after each render (Cornerstone's IMAGE_RENDERED event). */
  onRendered(listener: () => void): () => void {
    this.element.addEventListener(cornerstone.EVENTS.IMAGE_RENDERED, listener);
    return () => this.element.removeEventListener(cornerstone.EVENTS.IMAGE_RENDERED, listener);
  }

  /** The image point under a point of the page (client coordinates), or null with no image. */
  clientToImage(clientX: number, clientY: number): ImagePoint | null {
    return this.canvasToImage(this.clientToCanvas(clientX, clientY));
  }

  /** A point of the page (client coordinates) on the canvas: CSS pixels from the element's inner edge. */
  clientToCanvas(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.element.getBoundingClientRect();
    // The canvas starts inside the element's border (Cornerstone's pageToPixel leaves it out: 1 px off).
    return { x: clientX - r.left - this.element.clientLeft, y: clientY - r.top - this.element.clientTop };
  }

  /** The image point drawn at a canvas point (CSS pixels from the element's inner edge), or null with no image. */
  canvasToImage(c: { x: number; y: number }): ImagePoint | null {
    if (!this.hasImage) return null;
    const p = cornerstone.canvasToPixel(this.element, c);
    return { x: p.x, y: p.y };
  }

  /** The image point drawn at a canvas point, or the nearest point of the image when it is outside. */
  canvasToImageInside(c: { x: number; y: number }): ImagePoint | null {
    const p = this.canvasToImage(c);
    return p && this.image ? { x: Math.min(Math.max(p.x, 0), this.image.width), y: Math.min(Math.max(p.y, 0), this.image.height) } : null;
  }

  /** The image point at the middle of the view, kept inside the image. */
  middleOfView(): ImagePoint | null {
    return this.canvasToImageInside({ x: this.element.clientWidth / 2, y: this.element.clientHeight / 2 });
  }

  /** Where the image's +x (along a row) and +y (down a column) point on screen. */
  axesOnScreen(): { x: { x: number; y: number }; y: { x: number; y: number } } | null {
    if (!this.hasImage) return null;
    const o = this.imageToCanvas({ x: 0, y: 0 });
    const x = this.imageToCanvas({ x: 1, y: 0 });
    const y = this.imageToCanvas({ x: 0, y: 1 });
    return { x: { x: x.x - o.x, y: x.y - o.y }, y: { x: y.x - o.x, y: y.y - o.y } };
  }

  /** Where an image point is drawn, in CSS pixels from the element's inner (padding) edge. */
  imageToCanvas(p: ImagePoint): { x: number; y: number } {
    return cornerstone.pixelToCanvas(this.element, p);
  }

  /**
   * Shows the image as a presentation state says: its window (when it gives one), inversion, and
   * rotation then horizontal flip. The viewer's own turn and flips are found by trying each and
   * reading where the image's axes land, so how Cornerstone composes them does not matter.
   */
  present(p: { window: Window | null; invert: boolean; rotation: number; hflip: boolean }): void {
    if (!this.hasImage) return;
    const want = axesOf(p.rotation, p.hflip);
    const sign = (v: number) => (Math.abs(v) < 1e-9 ? 0 : Math.sign(v));
    const same = (u: { x: number; y: number }, v: { x: number; y: number }) => sign(u.x) === sign(v.x) && sign(u.y) === sign(v.y);
    found: for (const hflip of [false, true]) {
      for (const rotation of [0, 90, 180, 270]) {
        cornerstone.setViewport(this.element, { rotation, hflip, vflip: false });
        const axes = this.axesOnScreen();
        if (axes && same(axes.x, want.x) && same(axes.y, want.y)) break found;
      }
    }
    this.update(() => ({ invert: p.invert }));
    if (p.window) this.setWindow(p.window);
  }

  /** How the canvas maps to the image now, with the window and inversion: what the magnifying glass draws from. */
  lensView(): LensView | null {
    const v = this.state();
    const o = this.canvasToImage({ x: 0, y: 0 });
    const x = this.canvasToImage({ x: 1, y: 0 });
    const y = this.canvasToImage({ x: 0, y: 1 });
    if (!v || !o || !x || !y) return null;
    return { origin: o, ex: { x: x.x - o.x, y: x.y - o.y }, ey: { x: y.x - o.x, y: y.y - o.y }, window: v.window, invert: v.invert };
  }

  /** The view as a presentation state carries it; null with no image. */
  presented(): PresentedView | null {
    const v = this.state();
    const axes = this.axesOnScreen();
    return v && axes ? { window: v.window, invert: v.invert, axes } : null;
  }

  state(): ViewState | null {
    if (!this.hasImage || !this.image) return null;
    const v = cornerstone.getViewport(this.element);
    if (!v) return null;
    const { width, height } = this.image;
    const corners = [
      { x: 0, y: 0 },
      { x: width, y: 0 },
      { x: 0, y: height },
      { x: width, y: height },
    ].map((p) => cornerstone.pixelToCanvas(this.element, p));
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const x0 = Math.min(...xs);
    const y0 = Math.min(...ys);
    return {
      window: { center: v.voi.windowCenter + 0.5, width: v.voi.windowWidth + 1 },
      invert: v.invert,
      scale: v.scale,
      rotation: v.rotation,
      hflip: v.hflip,
      vflip: v.vflip,
      imageRect: [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0],
    };
  }
}
