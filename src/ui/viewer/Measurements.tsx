import { describeSpacing, formatLength, lengthOf, type DecodedImage, type ImagePoint } from '../../imaging';

export interface Segment {
  a: ImagePoint;
  b: ImagePoint;
}

interface DrawnProps {
  image: DecodedImage;
  segments: Segment[];
  /** The one being drawn, not yet kept. */
  drawing: Segment | null;
  /** Image point -> where it is drawn on the viewport (changes with zoom, pan, rotation, flip). */
  toCanvas: (p: ImagePoint) => { x: number; y: number };
}

const labels = (image: DecodedImage, segments: Segment[]) => segments.map((s) => formatLength(lengthOf(s.a, s.b, image)));

/**
 * The lengths measured on the open image, drawn over the viewport. They live in image coordinates,
 * so they follow the image through zoom, pan, rotation and flips. Hidden from assistive technology:
 * the legend below says the same in words.
 */
export function MeasurementsDrawn({ image, segments, drawing, toCanvas }: DrawnProps) {
  const all = drawing ? [...segments, drawing] : segments;
  if (!all.length) return null;
  const lengths = labels(image, all);
  return (
    <svg className="measurements" aria-hidden="true">
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
          <g key={i} data-testid="measurement" data-length={lengths[i]} data-drawing={s === drawing ? 'true' : undefined}>
            <line className="halo" x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
            <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
            <circle cx={a.x} cy={a.y} r={3} />
            <circle cx={b.x} cy={b.y} r={3} />
            <text x={lx} y={ly} textAnchor="middle" dominantBaseline="middle">
              {lengths[i]}
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
  return (
    <div className="measurements-legend" data-testid="measurements-legend" aria-live="polite">
      <span>
        <span className="measurements-list">Lengths: {labels(image, segments).join(', ')}.</span> {describeSpacing(image)}
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
