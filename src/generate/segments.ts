import type { PromptSegment } from './image-tokens';

/** Number of positions the segments occupy. */
export function positionCount(segments: PromptSegment[], imageTokens: number): number {
  return segments.reduce((n, s) => n + (s.kind === 'text' ? s.ids.length : imageTokens), 0);
}

/**
 * Start of the segment containing `position` when that segment is an image (images are never
 * split: their rows go through the model in one piece), else `position` itself.
 */
export function snapToImageStart(segments: PromptSegment[], position: number, imageTokens: number): number {
  let at = 0;
  for (const s of segments) {
    const len = s.kind === 'text' ? s.ids.length : imageTokens;
    if (position < at + len) return s.kind === 'image' ? at : position;
    at += len;
  }
  return position;
}

/** The segments from `position` on (position must not fall inside an image). */
export function segmentsFrom(segments: PromptSegment[], position: number, imageTokens: number): PromptSegment[] {
  const out: PromptSegment[] = [];
  let at = 0;
  for (const s of segments) {
    const len = s.kind === 'text' ? s.ids.length : imageTokens;
    if (at + len <= position) {
      at += len;
      continue;
    }
    if (s.kind === 'image') {
      if (position > at) throw new Error('cannot start inside the image rows');
      out.push(s);
    } else {
      out.push({ kind: 'text', ids: s.ids.slice(Math.max(0, position - at)) });
    }
    at += len;
  }
  return out;
}
