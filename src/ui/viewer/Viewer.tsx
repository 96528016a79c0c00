import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { edgeMarkers, initialWindow, type EdgeMarkers, type Window } from '../../imaging';
import { useAppStore } from '../store-context';
import { useKeyboardLength } from './keyboard-length';
import { FiledLengthsLegend, useFiledLengths } from './FiledLengths';
import { measurementsSentence, MeasurementsDrawn, MeasurementsLegend } from './Measurements';
import { useLengths } from './use-lengths';
import { useViewport, ZOOM_STEP } from './use-viewport';
import { KEY_ACTIONS, VIEWER_KEYS } from './viewer-keys';
import { useInsertReportLine } from '../reading/insert-into-report';
import { useKeyboardLens } from './keyboard-lens';
import { Magnifier, type MagnifierHandle } from './Magnifier';

/** A segment shorter than this on screen is a click, not a length. */
const MIN_SEGMENT_PX = 3;

/**
 * The Cornerstone viewport of the open study, with window/level, zoom, pan, invert, rotate, flip,
 * lengths. `aside`: shown beside the viewport, under the same tools (a prior to compare).
 */
export function Viewer({ aside }: { aside?: ReactNode }) {
  const study = useAppStore((s) => s.study);
  // Nothing goes into a report that streams or that the reader signed.
  const reportLocked = useAppStore((s) => s.streaming === 'report' || s.signature !== null);
  const insertReportLine = useInsertReportLine();
  const elementRef = useRef<HTMLDivElement>(null);
  const { viewportRef, view, zoom, pan: panView, fit } = useViewport(elementRef, 'open');
  const drag = useRef<{ x: number; y: number; mode: 'window' | 'pan' | 'measure' | 'magnify' } | null>(null);
  // Left-drag windows, or (Measure, M; the ratio tool, C) draws a length, or (G) holds the magnifying glass.
  const [measuring, setMeasuring] = useState(false);
  const [magnifying, setMagnifying] = useState(false);
  const lens = useRef<MagnifierHandle>(null);
  const lengths = useLengths(study?.image ?? null);
  const { segments, drawing, draw } = lengths;
  const drawsLengths = measuring || lengths.ratioNext !== null;
  const filed = useFiledLengths(study?.key ?? null, segments);

  useEffect(() => {
    if (study) viewportRef.current?.show(study.image);
  }, [study, viewportRef]);

  // The lengths' presentation state sent to PACS shows the image as it is shown here now.
  const setImageView = useAppStore((s) => s.setImageView);
  useEffect(() => {
    const v = viewportRef.current;
    const presented = study && view && v?.shows(study.image) ? v.presented() : null;
    if (presented) setImageView(study!.image, presented);
  }, [study, view, viewportRef, setImageView]);

  /** The drag tools take turns: switching to one puts away what the others were doing. */
  const stopToolsBut = (tool: 'measure' | 'ratio' | 'magnify') => {
    keyLength.stop();
    keyLens.stop();
    draw(null);
    // A ratio's two lengths are drawn like any length: Measure stays as it was under it.
    if (tool === 'magnify') setMeasuring(false);
    if (tool !== 'magnify') setMagnifying(false);
    if (tool !== 'ratio' && lengths.ratioNext) lengths.toggleRatio();
  };

  const act = (action: string) => {
    const v = viewportRef.current;
    if (!v?.hasImage) return;
    switch (action) {
      case 'invert': return v.toggleInvert();
      case 'reset':
        v.reset();
        return fit(); // a linked prior is fitted too
      case 'fit': return fit();
      case 'flip-h': return v.flip('h');
      case 'flip-v': return v.flip('v');
      case 'rotate-left': return v.rotate(-90);
      case 'rotate-right': return v.rotate(90);
      case 'zoom-in': return zoom(ZOOM_STEP);
      case 'zoom-out': return zoom(1 / ZOOM_STEP);
      case 'measure':
        stopToolsBut('measure');
        return setMeasuring((m) => !m);
      case 'ratio':
        stopToolsBut('ratio');
        return lengths.toggleRatio();
      case 'magnify':
        stopToolsBut('magnify');
        return setMagnifying((m) => !m);
      case 'remove-length': return lengths.removeLast();
    }
  };

  // Where the patient lies at each edge, as the file says, through every flip and rotation.
  const axes = view && study?.image.patientOrientation ? viewportRef.current?.axesOnScreen() : null;
  const markers: EdgeMarkers | null = axes && study?.image.patientOrientation ? edgeMarkers(study.image.patientOrientation, axes.x, axes.y) : null;

  const presets: (Window & { label: string })[] = study
    ? [{ ...initialWindow(study.image), label: 'Default' }, ...study.image.windows.map((w) => ({ center: w.center, width: w.width, label: w.label }))]
    : [];

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys in the prior beside the image (Compare) are the prior's own (PriorViewer).
    if (e.ctrlKey || e.metaKey || e.altKey || (e.target as HTMLElement).closest('input, textarea, select, .prior-viewer')) return;
    const v = viewportRef.current;
    const key = e.key.toLowerCase();
    const action = KEY_ACTIONS[key];
    const pan: Record<string, [number, number]> = { arrowleft: [-20, 0], arrowright: [20, 0], arrowup: [0, -20], arrowdown: [0, 20] };
    const preset = /^[1-9]$/.test(key) ? presets[Number(key) - 1] : undefined;
    // Measuring: Enter, the arrows and Escape draw a length (keyboard-length.ts).
    if (drawsLengths && keyLength.onKey(key, e.shiftKey)) return e.preventDefault();
    // Magnify: Enter, the arrows and Escape hold the lens (keyboard-lens.ts).
    if (magnifying && !drawsLengths && keyLens.onKey(key, e.shiftKey)) return e.preventDefault();
    if (key === 'escape' && lengths.ratioNext) {
      lengths.toggleRatio();
      return e.preventDefault();
    }
    if (action === 'remove-length' && !segments.length) return;
    if (action) act(action);
    else if (pan[key] && v) panView(...pan[key]);
    else if (preset && v) v.setWindow(preset);
    else return;
    e.preventDefault();
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!viewportRef.current?.hasImage) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    // The pointer takes over from a length begun with the keys (a pan, too, drops it).
    if (keyLength.active) {
      keyLength.stop();
      draw(null);
    }
    if (keyLens.active) keyLens.stop();
    const left = e.button === 0 && !e.shiftKey;
    drag.current = { x: e.clientX, y: e.clientY, mode: left ? (drawsLengths ? 'measure' : magnifying ? 'magnify' : 'window') : 'pan' };
    const p = left && drawsLengths ? viewportRef.current.clientToImage(e.clientX, e.clientY) : null;
    if (p) draw({ a: p, b: p });
    const view = left && magnifying && !drawsLengths ? viewportRef.current.lensView() : null;
    if (view) lens.current?.show(view, viewportRef.current.clientToCanvas(e.clientX, e.clientY));
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    const v = viewportRef.current;
    if (!d || !v) return;
    if (d.mode === 'magnify') return lens.current?.move(v.clientToCanvas(e.clientX, e.clientY));
    if (d.mode === 'measure') {
      const p = v.clientToImage(e.clientX, e.clientY);
      const s = lengths.drawn();
      if (p && s) draw({ a: s.a, b: p });
      return;
    }
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    d.x = e.clientX;
    d.y = e.clientY;
    if (d.mode === 'window') v.dragWindow(dx, dy);
    else panView(dx, dy);
  };
  /** Ends a drag, or a length drawn with the keys: a length is kept when asked and long enough on screen. */
  const endDrag = (keep: boolean) => {
    drag.current = null;
    lens.current?.hide();
    const s = lengths.drawn();
    const v = viewportRef.current;
    draw(null);
    if (!keep || !s || !v) return;
    const a = v.imageToCanvas(s.a);
    const b = v.imageToCanvas(s.b);
    if (Math.hypot(b.x - a.x, b.y - a.y) >= MIN_SEGMENT_PX) lengths.keep(s);
  };

  const keyLength = useKeyboardLength({
    name: lengths.ratioNext === 'heart' ? 'Heart width' : lengths.ratioNext === 'chest' ? 'Chest width' : 'Length',
    viewport: () => viewportRef.current,
    image: study?.image ?? null,
    drawn: lengths.drawn,
    draw,
    finish: endDrag,
  });

  const keyLens = useKeyboardLens(() => viewportRef.current, study?.image ?? null, lens);

  const hint = keyLength.hint ?? keyLens.hint ?? (lengths.ratioNext ? RATIO_STEPS[lengths.ratioNext] : null);

  // Label and key from the one table of keys (viewer-keys.ts), as the Keyboard panel lists them.
  const button = (action: string, text: string) => {
    const k = VIEWER_KEYS.find((key) => key.action === action)!;
    return (
      <button type="button" aria-label={k.does} title={`${k.does} (${k.shown})`} onClick={() => act(action)} disabled={!study}>
        {text}
      </button>
    );
  };

  // A tool the left drag turns into, on or off.
  const tool = (action: string, label: string, text: string, on: boolean, title: string) => (
    <button type="button" aria-label={label} aria-pressed={on} title={title} onClick={() => act(action)} disabled={!study}>
      {text}
    </button>
  );

  return (
    <div className="viewer" onKeyDown={onKeyDown}>
      <div className="viewer-tools">
        <div className="toolbar viewer-toolbar" role="toolbar" aria-label="Viewer tools">
          {button('invert', 'Invert')}
          {button('rotate-left', '⟲')}
          {button('rotate-right', '⟳')}
          {button('flip-h', '⇋')}
          {button('flip-v', '⇅')}
          {button('zoom-in', '+')}
          {button('zoom-out', '−')}
          {button('fit', 'Fit')}
          {button('reset', 'Reset')}
          {tool('measure', 'Measure', 'Measure', measuring, 'Measure a length: drag on the image, or press Enter and move with the arrows (M). Delete removes the last length.')}
          {tool('magnify', 'Magnify', 'Magnify', magnifying, 'Magnifying glass: hold the mouse button down on the image; it shows every pixel of the file under it (G)')}
          {tool('ratio', 'CTR (cardiothoracic ratio)', 'CTR', lengths.ratioNext !== null, "Cardiothoracic ratio: draw the heart's widest width, then the chest's widest inner width (C)")}
        </div>
        {presets.length > 0 && (
          <div className="toolbar presets" role="group" aria-label="Window presets">
            {presets.map((p, i) => (
              <button
                key={`${i}-${p.label}`}
                type="button"
                title={`Window ${i + 1}: centre ${fmt(p.center)}, width ${fmt(p.width)} (key ${i + 1})`}
                onClick={() => viewportRef.current?.setWindow(p)}
                data-testid="window-preset"
              >
                {p.label} {fmt(p.center)}/{fmt(p.width)}
              </button>
            ))}
          </div>
        )}
      </div>
      <div className="viewport-row">
        <div className="viewport-wrap">
          <div
            ref={elementRef}
            className="viewport"
            data-testid="viewport"
            tabIndex={0}
            role="img"
            aria-label={study ? `Radiograph ${study.fileName}${markers ? ` (patient ${markers.left} on the left, ${markers.right} on the right)` : ''}; drag to ${drawsLengths ? 'measure a length (or Enter, then the arrows)' : magnifying ? 'magnify (or Enter, then the arrows)' : 'window/level'}, shift-drag or right-drag to pan, wheel to zoom` : 'No image open'}
            data-has-image={study ? 'true' : 'false'}
            data-tool={lengths.ratioNext ? 'ratio' : measuring ? 'measure' : magnifying ? 'magnify' : 'window'}
            data-lengths-loaded={lengths.loaded ? 'true' : undefined}
            data-markers={markers ? `${markers.left},${markers.top},${markers.right},${markers.bottom}` : undefined}
            data-decode-ms={study ? Math.round(study.decodeMs) : undefined}
            data-window-center={view?.window.center}
            data-window-width={view?.window.width}
            data-invert={view?.invert}
            data-rotation={view?.rotation}
            data-image-rect={view?.imageRect.map((v) => v.toFixed(1)).join(',')}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={() => endDrag(true)}
            onPointerCancel={() => endDrag(false)}
            onContextMenu={(e) => e.preventDefault()}
          >
            {study && viewportRef.current && filed.drawn.length > 0 && (
              <MeasurementsDrawn image={study.image} segments={filed.drawn} drawing={null} toCanvas={(p) => viewportRef.current!.imageToCanvas(p)} filed />
            )}
            {study && viewportRef.current && (
              <MeasurementsDrawn image={study.image} segments={segments} drawing={drawing} toCanvas={(p) => viewportRef.current!.imageToCanvas(p)} />
            )}
            {study && <Magnifier image={study.image} ref={lens} />}
            {markers && (
              <div className="orientation-markers" aria-hidden="true">
                {(['left', 'top', 'right', 'bottom'] as const).map((edge) => (
                  <span key={edge} className={`marker marker-${edge}`} data-edge={edge}>
                    {markers[edge]}
                  </span>
                ))}
              </div>
            )}
            {!study && <div className="viewport-empty">Open, drop or paste a chest radiograph (DICOM, PNG or JPEG), or a folder of them.</div>}
          </div>
          {study && (
            <MeasurementsLegend
              image={study.image}
              segments={segments}
              onClear={lengths.clear}
              onAddToReport={reportLocked ? null : () => insertReportLine(measurementsSentence(study.image, segments))}
            />
          )}
          {study && <FiledLengthsLegend filed={filed} onAdopt={() => lengths.adopt(filed.asOwn())} onShow={(v) => viewportRef.current?.present(v)} />}
        </div>
        {aside}
      </div>
      {/* While a length is drawn with the keys or the ratio tool is on, the line says what to do; a screen reader hears it. */}
      <div className="visually-hidden" aria-live="polite">
        {hint}
      </div>
      <div className="viewer-status muted" data-testid="viewer-status" aria-live="off" data-measure-hint={hint ? 'true' : undefined}>
        {hint ?? (view && study
          ? `W ${fmt(view.window.width)} · L ${fmt(view.window.center)} · zoom ${Math.round(view.scale * 100)}%` +
            `${view.rotation ? ` · ${view.rotation}°` : ''}${view.invert !== study.image.invert ? ' · inverted' : ''}` +
            ` · ${study.image.width}×${study.image.height}`
          : 'No image')}
      </div>
    </div>
  );
}

const RATIO_STEPS = {
  heart: "Cardiothoracic ratio: draw the heart's widest width (Escape or C stops).",
  chest: "Cardiothoracic ratio: now the chest's widest inner width, rib to rib (Escape or C stops).",
};

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
