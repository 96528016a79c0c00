import { FIELDS, unknownFields } from './phrase-fields';
/**
 * The reader's own report phrases (macros): named texts put into the report where the caret is,
 * as dictation systems' "normals" and canned text, with blanks to fill ("[interval]"). Kept on
 * this device with the settings; the starting set below is ordinary wording the reader edits or
 * deletes.
 */

export interface Phrase {
  name: string;
  text: string;
}

export const MAX_PHRASES = 100;
const MAX_NAME = 60;
const MAX_TEXT = 4000;

export const DEFAULT_PHRASES: readonly Phrase[] = [
  {
    name: 'Normal chest',
    text: 'The lungs are clear. No pleural effusion or pneumothorax. The cardiomediastinal silhouette is within normal limits. No acute osseous abnormality.',
  },
  { name: 'No comparison', text: 'Comparison: None available.' },
  { name: 'Devices in position', text: 'Support devices are in satisfactory position.' },
  { name: 'Follow-up after treatment', text: 'A follow-up chest radiograph in [interval] after treatment is recommended to document resolution.' },
  // Filled from the open study's header as it goes in (phrase-fields.ts); what it lacks is left to fill.
  { name: 'Examination and indication', text: 'Examination: Chest radiograph, {view} view, {study date}.\nIndication: {indication}' },
];

/**
 * Blanks to fill: "[interval]" in a phrase, as dictation systems' fields. The first one is selected
 * when a phrase goes in, so typing fills it; the sign form lists any left.
 */
const FIELD = /\[[^[\]\n]{1,40}\]/g;

/** The blanks left in a text, in order, with where each is. */
export function blanks(text: string): { text: string; start: number; end: number }[] {
  return [...text.matchAll(FIELD)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

/**
 * The blank Tab (or Shift+Tab) goes to from a selection, as a dictation system's "next field": the
 * first blank ending after it (one the caret is in, else the next), or the last starting before it.
 * Null when there is none that way, so Tab then moves the focus on as it always does.
 */
export function blankFrom(text: string, sel: { start: number; end: number }, backwards: boolean): { start: number; end: number } | null {
  const all = blanks(text);
  const b = backwards ? all.findLast((x) => x.start < sel.start) : all.find((x) => x.end > sel.end);
  return b ? { start: b.start, end: b.end } : null;
}

/** Why a phrase cannot be kept as it is, or null. `others`: the rest of the list, for a unique name. */
export function phraseProblem(p: Phrase, others: readonly Phrase[]): string | null {
  const name = p.name.trim();
  if (!name) return 'Give the phrase a name.';
  if (name.length > MAX_NAME) return `A name is at most ${MAX_NAME} characters.`;
  if (others.some((o) => o.name.trim().toLowerCase() === name.toLowerCase())) return `Another phrase is named "${name}".`;
  if (!p.text.trim()) return 'Write the text it puts in.';
  if (p.text.length > MAX_TEXT) return `A phrase is at most ${MAX_TEXT} characters.`;
  const [unknown] = unknownFields(p.text);
  if (unknown !== undefined) return `{${unknown}} is no field: a phrase can take ${Object.keys(FIELDS).map((f) => `{${f}}`).join(', ')}.`;
  return null;
}

/** The phrases that can be put in: named, with text, each name once (the first wins). */
export function usablePhrases(list: readonly Phrase[]): Phrase[] {
  const out: Phrase[] = [];
  for (const p of list) if (!phraseProblem(p, out)) out.push({ name: p.name.trim(), text: p.text.trim() });
  return out;
}

/** Phrases read back from storage: a list of {name, text} strings, at most MAX_PHRASES; anything else is dropped. */
export function asPhrases(v: unknown): Phrase[] | null {
  if (!Array.isArray(v)) return null;
  return v
    .filter((p): p is Phrase => !!p && typeof p === 'object' && typeof (p as Phrase).name === 'string' && typeof (p as Phrase).text === 'string')
    .slice(0, MAX_PHRASES)
    .map((p) => ({ name: p.name.slice(0, MAX_NAME), text: p.text.slice(0, MAX_TEXT) }));
}
