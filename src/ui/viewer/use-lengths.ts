import { useEffect, useRef, useState } from 'react';
import { sameSegment, type DecodedImage, type Segment, type WidthRole } from '../../imaging';
import { lengthsStorage } from '../../session/lengths-storage';
import { studyFingerprint } from '../../session/study-fingerprint';
import { useAppStore } from '../store-context';

const NONE: Segment[] = [];

/**
 * The lengths drawn on the open image, the one being drawn, and the cardiothoracic ratio tool's
 * step. Lengths belong to the image they were drawn on: each image's are kept by its pixels'
 * fingerprint (lengths-storage.ts: this tab's memory and IndexedDB), so the same image opened again
 * (the worklist, the set row, the same file, after a reload) shows them again, and another image
 * never does.
 */
export function useLengths(image: DecodedImage | null) {
  // State is kept with the image it belongs to: another image starts with none (until its own are found).
  // `loaded`: the image's kept lengths have been read (tests wait for it: data-lengths-loaded).
  const [own, setOwn] = useState<{ image: DecodedImage | null; list: Segment[]; loaded?: boolean }>({ image: null, list: [] });
  const segments = own.image === image ? own.list : NONE;
  const imageKey = useRef<string | null>(null);
  const setSegments = (change: (list: Segment[]) => Segment[]) =>
    setOwn((o) => {
      const list = change(o.image === image ? o.list : NONE);
      if (imageKey.current) lengthsStorage().save(imageKey.current, list);
      return { image, list, loaded: o.image === image && o.loaded };
    });
  const [drawingOn, setDrawing] = useState<{ image: DecodedImage | null; s: Segment | null }>({ image: null, s: null });
  const drawing = drawingOn.image === image ? drawingOn.s : null;
  // The segment as the last pointer event left it (the state above may lag a render behind pointerup).
  const drawn = useRef<Segment | null>(null);
  // The ratio tool's next width (the heart's, then the chest's), for the image it began on.
  const [ratio, setRatio] = useState<{ next: WidthRole; image: DecodedImage } | null>(null);
  const ratioNext = ratio && ratio.image === image ? ratio.next : null;
  // With the ratio tool on, the length being drawn is already named (heart, chest) on the image.
  const draw = (s: Segment | null) => {
    const named = s && ratioNext ? { ...s, role: ratioNext } : s;
    drawn.current = named;
    setDrawing({ image, s: named });
  };

  // The exports read them from the store (structured measurements in the SR and the FHIR report).
  const publish = useAppStore((s) => s.setImageLengths);
  useEffect(() => {
    if (image) publish(image, segments);
  }, [image, segments, publish]);

  useEffect(() => {
    imageKey.current = null;
    drawn.current = null;
    if (!image) return;
    let live = true;
    void studyFingerprint(image).then(async (key) => {
      const stored = await lengthsStorage().load(key);
      if (!live) return;
      imageKey.current = key;
      // Lengths drawn in the few ms the fingerprint and the read took come after the kept ones.
      setOwn((o) => {
        const meanwhile = o.image === image ? o.list : NONE;
        const list = meanwhile.length ? [...stored, ...meanwhile] : stored;
        if (meanwhile.length) lengthsStorage().save(key, list);
        return { image, list, loaded: true };
      });
    });
    // "Clear all local data" takes the lengths on screen too.
    const off = lengthsStorage().onCleared(() => setOwn({ image, list: NONE, loaded: true }));
    return () => {
      live = false;
      off();
    };
  }, [image]);

  return {
    segments,
    loaded: own.image === image && own.loaded === true,
    drawing,
    drawn: () => drawn.current,
    draw,
    removeLast: () => setSegments((list) => list.slice(0, -1)),
    clear: () => setSegments(() => []),
    /** Takes lengths as the reader's own (filed ones): those already kept are not doubled; widths replace the ratio's. */
    adopt: (list: Segment[]) =>
      setSegments((own) => {
        const kept = list.some((s) => s.role) ? own.filter((s) => !s.role) : own;
        return [...kept, ...list.filter((s) => !kept.some((k) => sameSegment(k, s)))];
      }),
    /** Keeps a drawn length; with the ratio tool on, as its next width. */
    keep: (s: Segment) => {
      setSegments((list) => [...list, ratioNext ? { ...s, role: ratioNext } : { a: s.a, b: s.b }]);
      if (ratioNext && image) setRatio(ratioNext === 'heart' ? { next: 'chest', image } : null);
    },
    ratioNext,
    /** The ratio tool on (a new ratio: the widths of the last one go) or off. */
    toggleRatio: () => {
      if (ratioNext || !image) return setRatio(null);
      setSegments((list) => list.filter((s) => !s.role));
      setRatio({ next: 'heart', image });
    },
  };
}
