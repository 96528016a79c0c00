import type { Page } from 'playwright-core';

/**
 * Mean and std of the viewport canvas (the open image's, or another by its test id) inside the image's rectangle (a 3-pixel margin left out,
 * where the image's edge meets the background), and that rectangle as [x0, y0, x1, y1].
 */
export async function canvasStats(page: Page, testId = 'viewport'): Promise<{ mean: number; std: number; rect: number[] }> {
  return page.evaluate((id) => {
    const vp = document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
    const canvas = vp.querySelector<HTMLCanvasElement>('canvas.cornerstone-canvas')!;
    const [x, y, w, h] = (vp.dataset.imageRect ?? '0,0,0,0').split(',').map(Number) as [number, number, number, number];
    const x0 = Math.max(0, Math.ceil(x) + 3);
    const y0 = Math.max(0, Math.ceil(y) + 3);
    const x1 = Math.min(canvas.width, Math.floor(x + w) - 3);
    const y1 = Math.min(canvas.height, Math.floor(y + h) - 3);
    const data = canvas.getContext('2d')!.getImageData(x0, y0, x1 - x0, y1 - y0).data;
    let sum = 0;
    let sq = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      sum += data[i]!;
      sq += data[i]! * data[i]!;
    }
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), rect: [x0, y0, x1, y1] };
  }, testId);
}

export interface PagePoint {
  x: number;
  y: number;
}

/**
 * Where the open image lies on the page now (data-image-rect: inside the viewport's 1 px border),
 * so that a test aims at fractions of the image and computes the length between two page points
 * itself, not through the app's own mapping.
 */
export async function imageOnPage(page: Page) {
  const vp = page.getByTestId('viewport');
  const box = (await vp.boundingBox())!;
  const [x0, y0, w, h] = (await vp.getAttribute('data-image-rect'))!.split(',').map(Number) as [number, number, number, number];
  return {
    box,
    width: w,
    at: (fx: number, fy: number): PagePoint => ({ x: box.x + 1 + x0 + fx * w, y: box.y + 1 + y0 + fy * h }),
    /** The length from a to b on an image of cols × rows pixels, `spacing` mm apart. */
    mm: (a: PagePoint, b: PagePoint, cols: number, rows: number, spacing: number) => Math.hypot(((b.x - a.x) * cols) / w, ((b.y - a.y) * rows) / h) * spacing,
  };
}

/** A left-button drag from a to b, in steps, as a hand draws a length. */
export async function dragOn(page: Page, a: PagePoint, b: PagePoint): Promise<void> {
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 6 });
  await page.mouse.up();
}
