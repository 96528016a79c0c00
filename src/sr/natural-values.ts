import dcmjs, { type NaturalDataset } from 'dcmjs';

/**
 * Values of a dcmjs natural dataset as a reader of any writer's objects needs them: a sequence may
 * come as an array or a lone item, a value as an array or itself, a person name as { Alphabetic }.
 */

/** The dataset of a Part 10 file; throws with `what` and the reason when it cannot be read. */
export function readNatural(bytes: ArrayBuffer, what: string): NaturalDataset {
  try {
    return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(bytes).dict);
  } catch (err) {
    throw new Error(`${what} could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const first = (v: unknown): NaturalDataset | undefined => (Array.isArray(v) ? (v[0] as NaturalDataset | undefined) : (v as NaturalDataset | undefined));
export const items = (v: unknown): NaturalDataset[] => (Array.isArray(v) ? (v as NaturalDataset[]) : v ? [v as NaturalDataset] : []);
export const text = (v: unknown): string => {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined || x === null) return '';
  if (typeof x === 'object' && 'Alphabetic' in x) return personName(String((x as { Alphabetic?: unknown }).Alphabetic ?? ''));
  return String(x).trim();
};
/** Every number of a multi-valued attribute (FL, DS, IS, US); NaN where one is not a number. */
export const numbers = (v: unknown): number[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(Number);

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD; '' when it is not one. */
export function isoDate(da: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : '';
}

/** "Doe^Jane^^Dr" -> "Dr Jane Doe", as a signature reads (prefix, given, middle, family, suffix). */
export function personName(pn: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = pn.split('=')[0]!.split('^');
  return [prefix, given, middle, family, suffix].map((p) => p.trim()).filter(Boolean).join(' ');
}
