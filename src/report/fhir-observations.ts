import type { CodeableConcept } from './fhir';
import { CODES, SITE_OF, type MeasuredLength, type ReportMeasurements } from './structured-measurements';

/**
 * The reader's measurements as FHIR R4 Observations, contained in the DiagnosticReport and listed
 * in its `result`: each length as a Quantity in mm (SNOMED CT 410668003 "Length", UCUM mm), the
 * ratio tool's widths with their body site (heart, thorax), and the cardiothoracic ratio derived
 * from them. No SNOMED CT or LOINC code for the cardiothoracic ratio could be confirmed here, so
 * its code is a text only, which R4 allows, rather than a code that might be wrong.
 */

export interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}

export interface Observation {
  resourceType: 'Observation';
  id: string;
  status: 'preliminary';
  category: CodeableConcept[];
  code: CodeableConcept;
  subject?: { reference: string };
  valueQuantity: Quantity;
  note: { text: string }[];
  bodySite?: CodeableConcept;
  derivedFrom?: { reference: string }[];
}

const SYSTEMS: Record<string, string> = { SCT: 'http://snomed.info/sct', UCUM: 'http://unitsofmeasure.org' };
const coding = (c: { value: string; scheme: string; meaning: string }) => ({ system: SYSTEMS[c.scheme]!, code: c.value, display: c.meaning });
const quantity = (value: number, unit: { value: string; scheme: string; meaning: string }, shown: string): Quantity => ({ value, unit: shown, system: SYSTEMS[unit.scheme]!, code: unit.value });

const IMAGING = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging', display: 'Imaging' }] };
const WIDTH_TEXT = { heart: "Heart's widest transverse width", chest: "Chest's widest inner width" } as const;

export const lengthId = (i: number) => `length-${i + 1}`;
export const RATIO_ID = 'cardiothoracic-ratio';

/** The Observations for `m`: the lengths, then the ratio. `subject`: the contained Patient's reference, if any. */
export function measurementObservations(m: ReportMeasurements, subject?: string): Observation[] {
  const about = subject ? { subject: { reference: subject } } : {};
  const drawn = `Drawn by the reader on the image, not by the model (${m.basis}).`;
  const lengths = m.lengths.map((l: MeasuredLength, i): Observation => ({
    resourceType: 'Observation',
    id: lengthId(i),
    status: 'preliminary',
    category: [IMAGING],
    code: { coding: [coding(CODES.length)], text: l.role ? WIDTH_TEXT[l.role] : 'Length measured on the image' },
    ...about,
    valueQuantity: quantity(l.mm, CODES.mm, 'mm'),
    note: [{ text: drawn }],
    ...(l.role ? { bodySite: { coding: [coding(SITE_OF[l.role])] } } : {}),
  }));
  if (!m.ratio) return lengths;
  const ratio: Observation = {
    resourceType: 'Observation',
    id: RATIO_ID,
    status: 'preliminary',
    category: [IMAGING],
    code: { text: 'Cardiothoracic ratio' },
    ...about,
    valueQuantity: quantity(m.ratio.value, CODES.ratio, 'ratio'),
    note: [{ text: `The heart's width over the chest's, both drawn by the reader on the image, not by the model.${m.ratioCaveat ? ` ${m.ratioCaveat}` : ''}` }],
    ...(m.ratio.from ? { derivedFrom: m.ratio.from.map((i) => ({ reference: `#${lengthId(i)}` })) } : {}),
  };
  return [...lengths, ratio];
}
