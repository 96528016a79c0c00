import type { DecodedImage } from '../imaging/types';
import { headerField } from './context';
import { localMinute } from './signature';

/**
 * Fields a phrase takes from the open study as it goes in, as a dictation system's templates fill
 * theirs: "Indication: {indication}" becomes the header's reason for the study. A field the header
 * does not have becomes a blank ("[indication]") for the reader to fill, selected or reached with
 * Tab. Only fields that do not identify the patient.
 */
export const FIELDS = {
  indication: 'the reason for the study (DICOM Reason for the Requested Procedure, else Reason for Study, else Additional Patient History)',
  'study description': "the study's description",
  view: 'the view position (PA, AP)',
  'study date': 'the study date',
  today: "today's date",
} as const;

export type FieldName = keyof typeof FIELDS;

const TOKEN = /\{([^{}\n]{1,40})\}/g;
const isField = (name: string): name is FieldName => Object.hasOwn(FIELDS, name);
const keyOf = (name: string) => name.trim().toLowerCase();

/** The "{…}" a phrase names that are no field ("{indicaton}"), as written. */
export function unknownFields(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[1]!).filter((name) => !isField(keyOf(name)));
}

/** The phrase with its fields filled in; one with no value becomes a blank to fill. Anything else in braces stays as written. */
export function fillFields(text: string, values: Partial<Record<FieldName, string>>): string {
  return text.replace(TOKEN, (whole, name: string) => {
    const key = keyOf(name);
    if (!isField(key)) return whole;
    return values[key]?.trim() || `[${key}]`;
  });
}

/** What the open image's header gives the fields (identifying fields never); `today` from `now`, local time. */
export function fieldValues(image: Pick<DecodedImage, 'meta'> | null, now: Date): Partial<Record<FieldName, string>> {
  const header = (key: string) => headerField(image, key);
  return {
    indication: header('indication'),
    'study description': header('studyDescription'),
    view: header('viewPosition'),
    'study date': header('studyDate'),
    today: localMinute(now.getTime()).slice(0, 10),
  };
}
