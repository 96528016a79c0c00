import {
  cardiothoracicRatio,
  describeSpacing,
  formatLength,
  formatRatio,
  lengthOf,
  lengthsSentence,
  ratioCaveat,
  ratioPair,
  ratioSentence,
  viewPositionOf,
  type DecodedImage,
  type ImagePoint,
  type Segment,
} from '../../imaging';

/** What "Add to report" writes: the ratio with its widths, and the other lengths. */
export function measurementsSentence(image: DecodedImage, segments: Segment[]): string {
  const pair = ratioPair(segments);
  const others = pair ? segments.filter((s) => s !== pair.heart && s !== pair.chest) : segments;
  return [pair ? ratioSentence(image, pair.heart, pair.chest) : '', others.length ? lengthsSentence(image, others) : ''].filter(Boolean).join(' ');
}

interface DrawnProps {
  image: DecodedImage;
  /** `label`: what to write beside it instead of its length (a length filed with a prior says its own). */
  segments: (Segment & { label?: string })[];
  /** The one being drawn, not yet kept. */
  drawing: Segment | null;
  /** Image point -> where it is drawn on the viewport (changes with zoom, pan, rotation, flip). */
  toCanvas: (p: ImagePoint) => { x: number; y: number };
  /** Lengths filed on the server rather than the reader's own: drawn apart (dashed). */
  filed?: boolean;
}

const labels = (image: DecodedImage, segments: Segment[]) => segments.map((s) => formatLength(lengthOf(s.a, s.b, image)));
const named = (s: Segment, length: string) => (s.role ? `${s.role} ${length}` : length);

/**
 * The lengths measured on the open image, drawn over the viewport. They live in image coordinates,
 * so they follow the image through zoom, pan, rotation and flips. Hidden from assistive technology:
 * the legend below says the same in words.
 */
export function MeasurementsDrawn({ image, segments, drawing, toCanvas, filed }: DrawnProps) {
  const all: DrawnProps['segments'] = drawing ? [...segments, drawing] : segments;
  if (!all.length) return null;
  const lengths = labels(image, all);
  return (
    <svg className={filed ? 'measurements filed' : 'measurements'} aria-hidden="true">
      {all.map((s, i) => {
        const a = toCanvas(s.a);
        const b = toCanvas(s.b);
        // The label sits beside the segment's middle, on its upper side.
        const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
        const nx = -(b.y - a.y) / len;
        const ny = (b.x - a.x) / len;
        const side = ny > 0 ? -1 : 1;
        const lx = (a.x + b.x) / 2 + nx * 14 * side;
        const ly = (a.y + b.y) / 2 + ny * 14 * side;
        return (
          <g key={i} data-testid={filed ? 'filed-measurement' : 'measurement'} data-length={lengths[i]} data-role={s.role} data-drawing={s === drawing ? 'true' : undefined}>
            <line className="halo" x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
            <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
            <circle cx={a.x} cy={a.y} r={3} />
            <circle cx={b.x} cy={b.y} r={3} />
            <text x={lx} y={ly} textAnchor="middle" dominantBaseline="middle">
              {s.label ?? named(s, lengths[i]!)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

interface LegendProps {
  image: DecodedImage;
  segments: Segment[];
  onClear: () => void;
  /** Puts the lengths into the report; null while the report is being written. */
  onAddToReport: (() => void) | null;
}

/**
 * The kept lengths in words, what they are in (mm at the detector, in the patient, or pixels:
 * pixel-spacing.ts), Add to report and Clear.
 */
export function MeasurementsLegend({ image, segments, onClear, onAddToReport }: LegendProps) {
  if (!segments.length) return null;
  const lengths = labels(image, segments);
  const pair = ratioPair(segments);
  const caveat = pair && ratioCaveat(viewPositionOf(image));
  return (
    <div className="measurements-legend" data-testid="measurements-legend" aria-live="polite">
      <span>
        {pair && (
          <span className="measurements-ratio" data-testid="cardiothoracic-ratio">
            Cardiothoracic ratio {formatRatio(cardiothoracicRatio(image, pair.heart, pair.chest))}.{caveat ? ` ${caveat}` : ''}{' '}
          </span>
        )}
        <span className="measurements-list">Lengths: {segments.map((s, i) => named(s, lengths[i]!)).join(', ')}.</span> {describeSpacing(image)}
      </span>
      <span className="measurements-actions">
        <button
          type="button"
          onClick={onAddToReport ?? undefined}
          disabled={!onAddToReport}
          title={onAddToReport ? 'Writes the lengths into the report, as a line of their own where you last had the caret (else at the end)' : 'Once the report is written, the lengths can go into it'}
        >
          Add to report
        </button>
        <button type="button" onClick={onClear} title="Remove every length (Delete removes the last one)">
          Clear lengths
        </button>
      </span>
    </div>
  );
}
