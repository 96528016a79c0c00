import { useState } from 'react';
import { sameSegment, type Segment } from '../../imaging';
import { WIDTH_NAME } from '../../report/structured-measurements';
import type { FiledLength, PresentationLengths } from '../../sr/read-presentation-state';
import { useHospital } from '../dicomweb/use-hospital';

/** "Drawn 2023-01-15 by Jane Doe (READER_LENGTHS): Heart width 131.0 mm, …; 1 other graphic not shown." */
export function filedLine(p: PresentationLengths): string {
  const who = [p.date && `Drawn ${p.date}`, p.creator && `by ${p.creator}`].filter(Boolean).join(' ') || 'Drawn';
  const what = p.texts.length ? p.texts.join(', ') : `${p.lengths.length} ${p.lengths.length === 1 ? 'length' : 'lengths'}, unlabelled`;
  const rest = p.notDrawn ? `; ${p.notDrawn} other ${p.notDrawn === 1 ? 'graphic' : 'graphics'} not shown` : '';
  return `${who}${p.label ? ` (${p.label})` : ''}: ${what}${rest}.`;
}

/** "One presentation state in this study could not be read.": an object in a PR series that is none. */
export function unreadableLine(n: number): string {
  return n === 1 ? 'One presentation state in this study could not be read.' : `${n} presentation states in this study could not be read.`;
}

/**
 * The lengths filed, one for each place: a length filed twice (a report sent again) is drawn once,
 * and one the reader has too (`own`) not at all.
 */
export function distinctLengths(list: PresentationLengths[], own: readonly Segment[] = []): FiledLength[] {
  return list.flatMap((p) => p.lengths).filter((l, i, all) => !own.some((o) => sameSegment(o, l)) && all.findIndex((m) => sameSegment(m, l)) === i);
}

/** A filed length labelled as this app labels a ratio's width is that width again. */
function asOwn(l: FiledLength): Segment {
  const role = (Object.keys(WIDTH_NAME) as (keyof typeof WIDTH_NAME)[]).find((r) => l.label?.startsWith(`${WIDTH_NAME[r]} `));
  return { a: l.a, b: l.b, ...(role ? { role } : {}) };
}

/**
 * The lengths filed on the server with the open image (hospital/filed-lengths.ts looks them up), beside
 * the reader's own: those the reader has too are not drawn twice. They can be hidden, or taken as
 * the reader's own to edit, add to and send.
 */
export function useFiledLengths(studyKey: string | null, own: readonly Segment[]) {
  const filed = useHospital((s) => (studyKey ? s.opened[studyKey]?.filed : undefined));
  const [hiddenFor, setHiddenFor] = useState<string | null>(null);
  const list = filed?.status === 'done' ? filed.value.states : [];
  const others = distinctLengths(list, own);
  const hidden = studyKey !== null && hiddenFor === studyKey;
  return {
    list,
    unreadable: filed?.status === 'done' ? filed.value.unreadable : 0,
    problem: filed?.status === 'error' ? filed.message : null,
    /** Those to draw: filed, not the reader's own, not hidden. */
    drawn: hidden ? [] : others,
    notYours: others.length,
    hidden,
    toggle: () => setHiddenFor(hidden ? null : studyKey),
    /** The filed lengths as the reader's own (a ratio's widths as widths again). */
    asOwn: () => others.map(asOwn),
  };
}

type Filed = ReturnType<typeof useFiledLengths>;

/**
 * What is filed with the image, in words, with Hide and Use as mine, and Show as filed (the window,
 * inversion and turn the newest one was filed with; onShow gets its view).
 */
export function FiledLengthsLegend({ filed, onAdopt, onShow }: { filed: Filed; onAdopt: () => void; onShow: (view: PresentationLengths['view']) => void }) {
  if (filed.problem) {
    return (
      <div className="measurements-legend filed-legend" role="alert" data-testid="filed-lengths">
        The lengths filed with this image could not be read: {filed.problem}
      </div>
    );
  }
  if (!filed.list.length) {
    return filed.unreadable ? (
      <div className="measurements-legend filed-legend" data-testid="filed-lengths">
        {unreadableLine(filed.unreadable)}
      </div>
    ) : null;
  }
  return (
    <div className="measurements-legend filed-legend" data-testid="filed-lengths" aria-live="polite">
      <span>
        Filed with this image on the server: {filed.list.map(filedLine).join(' ')}
        {filed.notYours === 0 ? ' All are yours too.' : ''}
        {filed.unreadable ? ` ${unreadableLine(filed.unreadable)}` : ''}
      </span>
      <span className="measurements-actions">
        <button type="button" onClick={() => onShow(filed.list[0]!.view)} title="Show the image in the window, inversion and turn it was filed with (the newest)">
          Show as filed
        </button>
        {filed.notYours > 0 && (
          <>
            <button type="button" aria-pressed={filed.hidden} onClick={filed.toggle} title="Hide or show the lengths filed with this image">
              Hide filed
            </button>
            <button type="button" onClick={onAdopt} title="Take the filed lengths as yours: they can then be removed, added to and sent">
              Use as mine
            </button>
          </>
        )}
      </span>
    </div>
  );
}
