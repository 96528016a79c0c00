import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { imagingModalities, openCompare } from '../../hospital/priors';
import { useHospital, useHospitalApi } from '../dicomweb/use-hospital';
import { useAppStore, useAppStoreApi } from '../store-context';
import { showBeside } from './open-file';
import { distinctLengths, filedLine, unreadableLine } from './FiledLengths';
import { useKeyboardLens } from './keyboard-lens';
import { Magnifier, type MagnifierHandle } from './Magnifier';
import { MeasurementsDrawn } from './Measurements';
import { useViewport, ZOOM_STEP } from './use-viewport';
import { PRIOR_KEY_ACTIONS } from './viewer-keys';
import { useViewLink } from './view-link';

/**
 * A prior's radiograph beside the open one, to compare (Prior studies → Compare). Its own window
 * (drag), zoom (wheel) and pan (shift- or right-drag), invert and fit; it is not the study being
 * reported: no lengths are drawn on it here, and the model never reads it. The lengths filed with
 * it (its presentation states) are drawn with the labels filed, and listed with what they wrote,
 * so a measurement can be compared; they can be hidden.
 */
export function PriorViewer() {
  const h = useHospitalApi();
  const store = useAppStoreApi();
  const study = useAppStore((s) => s.study);
  const fileSet = study?.fileSet;
  const compare = useHospital((s) => openCompare({ study }, s));
  const elementRef = useRef<HTMLDivElement>(null);
  const { viewportRef, view, zoom, pan, fit } = useViewport(elementRef, 'prior');
  const drag = useRef<{ x: number; y: number; mode: 'window' | 'pan' | 'magnify' } | null>(null);
  // G, or the button: left-drag holds the magnifying glass instead of windowing, as in the open image.
  const [magnifying, setMagnifying] = useState(false);
  const lens = useRef<MagnifierHandle>(null);
  const shown = compare?.image.status === 'done' ? compare.image.value : null;
  const keyLens = useKeyboardLens(() => viewportRef.current, shown?.image ?? null, lens);
  const toggleMagnify = () => {
    keyLens.stop();
    setMagnifying((m) => !m);
  };
  const [hideLengths, setHideLengths] = useState(false);
  // Zoom and pan linked with the open image's (view-link.ts); off again once the prior closes.
  const link = useViewLink();
  const [linked, setLinked] = useState(false);
  useEffect(() => {
    if (!link) return;
    link.setLinked(linked);
    return () => link.setLinked(false);
  }, [link, linked]);
  const filed = compare?.lengths?.status === 'done' ? compare.lengths.value.states : [];
  const unreadable = compare?.lengths?.status === 'done' ? compare.lengths.value.unreadable : 0;
  const lengths = distinctLengths(filed);

  useEffect(() => {
    if (shown) viewportRef.current?.show(shown.image);
  }, [shown, viewportRef]);

  if (!compare) return null;
  const { prior } = compare;
  // A prior study, or another image of the files opened together (the lateral beside the PA).
  const label = prior ? [prior.date || 'Undated', imagingModalities(prior), prior.description, shown?.viewPosition].filter(Boolean).join(' · ') : (compare.name ?? '');
  const what = prior ? 'Prior' : 'Same study';
  const others = !prior && fileSet ? fileSet.files.map((f, i) => ({ f, i })).filter(({ i }) => i !== fileSet.index) : [];
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!viewportRef.current?.hasImage) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    if (keyLens.active) keyLens.stop();
    const left = e.button === 0 && !e.shiftKey;
    drag.current = { x: e.clientX, y: e.clientY, mode: !left ? 'pan' : magnifying ? 'magnify' : 'window' };
    const v = viewportRef.current;
    const lensView = left && magnifying ? v.lensView() : null;
    if (lensView) lens.current?.show(lensView, v.clientToCanvas(e.clientX, e.clientY));
  };
  const endDrag = () => {
    drag.current = null;
    lens.current?.hide();
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    const v = viewportRef.current;
    if (!d || !v) return;
    if (d.mode === 'magnify') return lens.current?.move(v.clientToCanvas(e.clientX, e.clientY));
    const [dx, dy] = [e.clientX - d.x, e.clientY - d.y];
    [d.x, d.y] = [e.clientX, e.clientY];
    if (d.mode === 'pan') pan(dx, dy);
    else v.dragWindow(dx, dy);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !viewportRef.current?.hasImage) return;
    const key = e.key.toLowerCase();
    const arrows: Record<string, [number, number]> = { arrowleft: [-20, 0], arrowright: [20, 0], arrowup: [0, -20], arrowdown: [0, 20] };
    const action = PRIOR_KEY_ACTIONS[key];
    // Magnify: Enter, the arrows and Escape hold the lens, as on the open image.
    if (magnifying && keyLens.onKey(key, e.shiftKey)) return e.preventDefault();
    if (arrows[key]) pan(...arrows[key]);
    else if (action === 'invert') viewportRef.current.toggleInvert();
    else if (action === 'zoom-in') zoom(ZOOM_STEP);
    else if (action === 'zoom-out') zoom(1 / ZOOM_STEP);
    else if (action === 'fit') fit();
    else if (action === 'link' && link) setLinked((v) => !v);
    else if (action === 'magnify') toggleMagnify();
    else return;
    e.preventDefault();
  };

  return (
    <section className="prior-viewer" aria-label={prior ? 'Prior image' : 'Other image of this study'} data-testid="prior-viewer">
      <div className="prior-viewer-head">
        {others.length > 1 && fileSet ? (
          // Several other images in the set (a lateral and an AP, say): the reader picks which.
          <label className="prior-viewer-label">
            {what}:{' '}
            <select aria-label="Other image beside" value={fileSet.files.findIndex((f) => f.label === compare.name)} onChange={(e) => void showBeside(store, fileSet, Number(e.target.value))}>
              {others.map(({ f, i }) => (
                <option key={i} value={i}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="prior-viewer-label">
            {what}: <strong>{label}</strong>
          </span>
        )}
        <span className="toolbar" role="toolbar" aria-label={prior ? 'Prior image tools' : 'Other image tools'}>
          <button type="button" onClick={() => viewportRef.current?.toggleInvert()} disabled={!shown}>
            Invert
          </button>
          <button type="button" onClick={fit} disabled={!shown}>
            Fit
          </button>
          <button
            type="button"
            aria-pressed={magnifying}
            onClick={toggleMagnify}
            disabled={!shown}
            title="Magnifying glass: hold the mouse button down on this image (G)"
          >
            Magnify
          </button>
          {link && (
            <button
              type="button"
              aria-pressed={linked}
              onClick={() => setLinked((v) => !v)}
              disabled={!shown}
              title="Zoom and pan both images together (each keeps its own window)"
            >
              Link
            </button>
          )}
          {lengths.length > 0 && (
            <button type="button" aria-pressed={hideLengths} onClick={() => setHideLengths((v) => !v)} title="Hide or show the lengths filed with the prior">
              Hide lengths
            </button>
          )}
          <button type="button" onClick={() => h.getState().set({ compare: null })} aria-label={prior ? 'Close the prior image' : 'Close the other image'}>
            Close
          </button>
        </span>
      </div>
      {compare.image.status === 'busy' && <p role="status">{compare.image.what}</p>}
      {compare.image.status === 'error' && (
        <p role="alert" className="dicomweb-error" data-code={compare.image.code}>
          {compare.image.message}
        </p>
      )}
      <div
        ref={elementRef}
        className="viewport prior-viewport"
        data-testid="prior-viewport"
        role="img"
        tabIndex={0}
        aria-label={
          shown
            ? `${prior ? 'Prior radiograph of' : 'Other radiograph of this study,'} ${label}; drag to ${magnifying ? 'magnify' : 'window/level'}, shift-drag, right-drag or the arrows to pan, wheel or + and − to zoom, L links with the open image`
            : `${prior ? 'Prior' : 'Other'} image loading`
        }
        onKeyDown={onKeyDown}
        data-has-image={shown ? 'true' : 'false'}
        data-image-rect={view?.imageRect.map((v) => v.toFixed(1)).join(',')}
        data-lengths={compare.lengths?.status}
        data-invert={view?.invert}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        data-tool={magnifying ? 'magnify' : 'window'}
        onContextMenu={(e) => e.preventDefault()}
      >
        {shown && <Magnifier image={shown.image} ref={lens} />}
        {shown && view && !hideLengths && lengths.length > 0 && (
          <MeasurementsDrawn image={shown.image} segments={lengths} drawing={null} toCanvas={(p) => viewportRef.current!.imageToCanvas(p)} />
        )}
      </div>
      {compare.lengths?.status === 'error' && (
        <p role="alert" className="dicomweb-error" data-code={compare.lengths.code}>
          The lengths filed with the prior could not be read: {compare.lengths.message}
        </p>
      )}
      {filed.length + unreadable > 0 && (
        <ul className="prior-lengths muted" aria-label="Lengths filed with the prior" data-testid="prior-lengths">
          {filed.map((p) => (
            <li key={p.sopInstanceUID}>{filedLine(p)}</li>
          ))}
          {unreadable > 0 && <li>{unreadableLine(unreadable)}</li>}
        </ul>
      )}
    </section>
  );
}
