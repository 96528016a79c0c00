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

/**
 * The segments whose positions (see expandPositions) are `positions`: the inverse of
 * expandPositions for whole images, so a cache emptied by someone else can be prefilled again.
 */
export function segmentsOfPositions(positions: readonly number[], imageTokens: number): PromptSegment[] {
  const out: PromptSegment[] = [];
  for (let i = 0; i < positions.length; ) {
    if (positions[i]! >= 0) {
      const last = out[out.length - 1];
      if (last?.kind === 'text') last.ids.push(positions[i]!);
      else out.push({ kind: 'text', ids: [positions[i]!] });
      i++;
      continue;
    }
    for (let r = 0; r < imageTokens; r++) {
      if (positions[i + r] !== -1 - r) throw new Error(`position ${i + r} is not row ${r} of a whole image`);
    }
    out.push({ kind: 'image' });
    i += imageTokens;
  }
  return out;
}
