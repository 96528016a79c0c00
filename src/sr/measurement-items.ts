import { CODES, pixelLengthsNote, SITE_OF, type MeasuredLength, type ReportMeasurements } from '../report/structured-measurements';

/**
 * The reader's measurements as SR content items (PS3.3 C.17.3, Enhanced SR value types): each
 * length a NUM in mm, INFERRED FROM the polyline it was drawn as (SCOORD, image pixel
 * coordinates: column, row, with 0,0 the top left corner of the top left pixel, as the viewer
 * keeps them), SELECTED FROM the image; a width drawn with the ratio tool says its Finding Site
 * (heart, thorax); the cardiothoracic ratio is a NUM with no unit, grouped with its two widths.
 *
 * No SNOMED CT, LOINC or DCM code for the cardiothoracic ratio could be confirmed here, so it is
 * coded in the app's own scheme (PS3.16 8.2: a private scheme's designator begins "99"), which the
 * SR identifies in its Coding Scheme Identification Sequence.
 */

export const PRIVATE_SCHEME = {
  CodingSchemeDesignator: '99CXRLLAVAWEB',
  CodingSchemeName: 'CXR-LLaVA Web measurement codes',
  CodingSchemeResponsibleOrganization: 'CXR-LLaVA Web',
};

const code = (c: { value: string; scheme: string; meaning: string }) => [{ CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning }];
const RATIO = { value: 'CTR', scheme: PRIVATE_SCHEME.CodingSchemeDesignator, meaning: 'Cardiothoracic ratio' };
const MEASUREMENT_GROUP = { value: '125007', scheme: 'DCM', meaning: 'Measurement Group' };

/** Whether `m` has anything an SR carries as data (NUM items). */
export function hasStructured(m: ReportMeasurements | undefined): m is ReportMeasurements {
  return !!m && (m.lengths.length > 0 || m.ratio !== null);
}

/** A length as a NUM in mm, from the polyline drawn on the image; a ratio width says where it lies. */
function lengthItem(l: MeasuredLength, imageRef: object[]) {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: code(CODES.length),
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: code(CODES.mm), NumericValue: l.mm.toFixed(1) }],
    ContentSequence: [
      ...(l.role ? [{ RelationshipType: 'HAS CONCEPT MOD', ValueType: 'CODE', ConceptNameCodeSequence: code(CODES.findingSite), ConceptCodeSequence: code(SITE_OF[l.role]) }] : []),
      {
        RelationshipType: 'INFERRED FROM',
        ValueType: 'SCOORD',
        GraphicType: 'POLYLINE',
        GraphicData: [l.a.x, l.a.y, l.b.x, l.b.y],
        ContentSequence: [{ RelationshipType: 'SELECTED FROM', ValueType: 'IMAGE', ReferencedSOPSequence: imageRef }],
      },
    ],
  };
}

/**
 * The items for the Findings container; `imageRef`: the Referenced SOP Sequence of the image. The
 * ratio and the two widths it is taken from go together in a Measurement Group (an Enhanced SR
 * cannot point from one item to another), the other lengths one by one.
 */
export function measurementItems(m: ReportMeasurements, imageRef: object[]) {
  const grouped = new Set(m.ratio?.from ?? []);
  const lengths = m.lengths.filter((_, i) => !grouped.has(i)).map((l) => lengthItem(l, imageRef));
  if (!m.ratio) return lengths;
  const ratio = {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: code(RATIO),
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: code(CODES.ratio), NumericValue: m.ratio.value.toFixed(2) }],
  };
  const group = {
    RelationshipType: 'CONTAINS',
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: code(MEASUREMENT_GROUP),
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: [...(m.ratio.from ?? []).map((i) => lengthItem(m.lengths[i]!, imageRef)), ratio],
  };
  return [...lengths, group];
}

/** What the SR's comments say about the measurements: whose they are, what they are in, the ratio's caveat. */
export function measurementComments(m: ReportMeasurements): string[] {
  const note = pixelLengthsNote(m);
  return [
    ...(hasStructured(m) ? [`Measurements drawn by the reader on the image, not by the model (${m.basis}).`] : []),
    ...(m.ratioCaveat ? [`Cardiothoracic ratio: ${m.ratioCaveat}`] : []),
    ...(note ? [note] : []),
  ];
}
