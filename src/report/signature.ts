/**
 * The reader's signature on a report: who (a person name, as a DICOM Person Name's parts, PS3.5
 * 6.2), when, and the text they signed. A signed report is theirs, final and read-only; amending
 * it reopens it, and the next signature says which one it amends. Every export and the SR say
 * whether the report was signed and by whom; the model that drafted it stays named.
 *
 * The name is kept on this device only (Settings), like everything else the app keeps.
 */

export interface Reader {
  family: string;
  given: string;
  /** "Dr", "Prof." */
  prefix: string;
  /** Where they sign for (the SR's Verifying Organization, which DICOM requires). */
  organization: string;
}

export interface ReportSignature {
  reader: Reader;
  /** Epoch ms. */
  at: number;
  /** The report as signed. */
  text: string;
  /**
   * The signature this one replaces: the report was signed, changed and signed again. `addendum`:
   * the text signed before is kept unchanged at the start, and the change only adds to it.
   */
  amends?: { reader: Reader; at: number; addendum?: boolean };
}

/** One component group of a DICOM PN is at most 64 characters, with its four '^'. */
const PN_MAX = 64;

/** "Dr Jane Doe". */
export function readerName(r: Reader): string {
  return [r.prefix, r.given, r.family].map((s) => s.trim()).filter(Boolean).join(' ');
}

/** "Doe^Jane^^Dr": family, given, middle, prefix (PS3.5 6.2.1.1), trailing empties left out. */
export function dicomPersonName(r: Reader): string {
  return [r.family, r.given, '', r.prefix].map((s) => s.trim()).join('^').replace(/\^+$/, '');
}

/** Why `r` cannot sign (shown beside the fields); null when it can. */
export function readerProblem(r: Reader): string | null {
  if (!r.family.trim()) return 'Type your family name to sign.';
  if (!r.organization.trim()) return 'Type your organization (hospital or practice) to sign: the report names it with you.';
  if (r.organization.trim().length > 64) return 'The organization is too long for DICOM (at most 64 characters).';
  if (/[\\\r\n]/.test(r.organization)) return 'An organization cannot hold \\ or line breaks.';
  // These separate a Person Name's parts and groups in DICOM; a name holding them would be read wrong.
  if (/[\^=\\]/.test(readerName(r)) || /[\r\n]/.test(readerName(r))) return 'A name cannot hold ^, =, \\ or line breaks.';
  if (dicomPersonName(r).length + 4 > PN_MAX) return `The name is too long for DICOM (at most ${PN_MAX - 4} characters in all).`;
  return null;
}

/** A stored value, if it is a reader (settings from an older or tampered storage give null). */
export function asReader(v: unknown): Reader | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Partial<Reader>;
  if (typeof r.family !== 'string' || typeof r.given !== 'string' || typeof r.prefix !== 'string' || typeof r.organization !== 'string') return null;
  const reader = { family: r.family, given: r.given, prefix: r.prefix, organization: r.organization };
  return readerProblem(reader) ? null : reader;
}

/**
 * The reader a filed report names as its verifier (their DICOM Person Name and organization), when
 * it is one this app could sign as; null otherwise.
 */
export function readerOfPersonName(personName: string, organization: string): Reader | null {
  const [family = '', given = '', , prefix = ''] = (personName.split('=')[0] ?? '').split('^');
  const reader = { family: family.trim(), given: given.trim(), prefix: prefix.trim(), organization: organization.trim() };
  return readerProblem(reader) ? null : reader;
}

/** A stored value, if it is a signature (drafts saved before signatures existed have none). */
export function asSignature(v: unknown): ReportSignature | null {
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Partial<ReportSignature>;
  const reader = asReader(s.reader);
  if (!reader || typeof s.at !== 'number' || !Number.isFinite(s.at) || typeof s.text !== 'string') return null;
  const amendsReader = s.amends ? asReader(s.amends.reader) : null;
  const amends = amendsReader && typeof s.amends?.at === 'number' ? { reader: amendsReader, at: s.amends.at, ...(s.amends.addendum === true ? { addendum: true } : {}) } : undefined;
  return { reader, at: s.at, text: s.text, ...(amends ? { amends } : {}) };
}

/** "2026-12-07 10:12" in local time. */
export function localMinute(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "Dr Jane Doe (St Example Hospital), 2026-12-07 10:12". */
export function describeSigner(r: { reader: Reader; at: number }): string {
  return `${readerName(r.reader)} (${r.reader.organization.trim()}), ${localMinute(r.at)}`;
}

/** "Signed by Dr Jane Doe (…), 2026-12-07 10:12 (amends the report signed by Dr Jane Doe (…), 2026-12-07 10:05)". */
export function describeSignature(s: ReportSignature): string {
  return `Signed by ${describeSigner(s)}${s.amends ? ` (${describeAmends(s.amends)})` : ''}`;
}

/** "amends the report signed by …", or for an addendum "adds an addendum to the report signed by …". */
export function describeAmends(a: NonNullable<ReportSignature['amends']>): string {
  return `${a.addendum ? 'adds an addendum to' : 'amends'} the report signed by ${describeSigner(a)}`;
}

/** Whether `text` keeps `signed` unchanged at its start and adds to it: an addendum. */
export function isAddendum(signed: string, text: string): boolean {
  const before = signed.trim();
  const now = text.trim();
  return now.length > before.length && now.startsWith(before);
}

/**
 * Whether `text` says anything `signed` did not: not when it is the signed text again, nor that with
 * an empty "Addendum:" after it. Signing it again would only amend a report with itself.
 */
export function changedSince(signed: string, text: string): boolean {
  return text.trim().replace(/\n\s*Addendum:$/i, '').trimEnd() !== signed.trim();
}

/** Why a report cannot be signed as it is (empty, or an "Addendum:" with nothing after it), or null. */
export function reportSignProblem(text: string): string | null {
  if (!text.trim()) return 'The report is empty.';
  if (/(?:^|\n)\s*Addendum:\s*$/i.test(text)) return 'The addendum is empty: write it after "Addendum:", or take that line out.';
  return null;
}

/** What the exports say in place of the AI-draft disclaimer once the report is signed. */
export const SIGNED_NOTICE = 'Drafted with an AI model; reviewed and signed by the radiologist named below';
