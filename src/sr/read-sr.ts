import type { NaturalDataset } from 'dcmjs';
import { readerOfPersonName, type ReportSignature } from '../report/signature';
import { APP_NAME } from './dicom-object';
import { first, isoDate, items, readNatural, text } from './natural-values';

/**
 * A report SR from the server read back as a radiologist reads a prior report: its title, date,
 * whether it is final (verified, complete) or a draft, who wrote it, and its text. The content
 * tree (PS3.3 C.17.3) is written out in document order: each container's name as a heading, text
 * as written, codes and numbers as "name: value". Observation context (who, which device) and
 * concept modifiers are not text of the report and are left out; the author is said apart.
 *
 * Any SR storage class is read (Basic Text, Enhanced, Comprehensive, ...), from any writer, not
 * only this app's. Pure: no DOM, no network.
 */

export interface ReadReport {
  sopInstanceUID: string;
  seriesInstanceUID: string;
  sopClassUID: string;
  /** The document's title: its root concept name, e.g. "Diagnostic imaging report". */
  title: string;
  /** YYYY-MM-DD, when the SR says (Content Date). */
  date: string;
  /** "final" (VERIFIED and COMPLETE, not PRELIMINARY) or what it is instead. */
  status: 'final' | 'preliminary' | 'unverified' | 'partial';
  /** The verifying observer, else the author, else the observer device; '' when none is named. */
  author: string;
  /** The report's text, lines separated by "\n". */
  text: string;
  /**
   * What it reports, without its clinical information (the reason for the study, the history, the
   * request: words of the order, not findings), for reading its findings against another report.
   */
  reported: string;
  /**
   * This app's own draft (an SR it wrote: Manufacturer CXR-LLaVA Web), as the reader left it when
   * sending (its Finding text), to go on from on another workstation; null for another writer's.
   */
  draft: string | null;
  /** The reason for the study, from its Indications for Procedure section (report-sr.ts writes one); null when it has none. */
  indication: string | null;
  /** Who verified it, as the SR says: their Person Name as written, organization, and when (epoch ms; null when unreadable). */
  verifier: { personName: string; organization: string; at: number | null } | null;
}

const SR_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.88.';
/** Beyond this depth a tree is not a report anyone wrote by hand; the rest is left out. */
const MAX_DEPTH = 12;

const meaning = (d: NaturalDataset, key = 'ConceptNameCodeSequence') => text(first(d[key])?.CodeMeaning);
/** An item's concept name code value ("121070"). */
const code = (item: NaturalDataset) => text(first(item.ConceptNameCodeSequence)?.CodeValue);

/** Reads an SR Part 10 file; throws with a reason when it is not one. */
export function readReportSr(bytes: ArrayBuffer): ReadReport {
  const d = readNatural(bytes, 'The report');
  const sopClass = text(d.SOPClassUID);
  if (!sopClass.startsWith(SR_CLASS_PREFIX)) throw new Error(`Not a structured report (SOP Class ${sopClass || 'missing'}).`);
  const lines: string[] = [];
  writeItems(items(d.ContentSequence), 0, lines);
  const reported: string[] = [];
  writeItems(items(d.ContentSequence).filter((i) => !CLINICAL_INFORMATION.has(code(i))), 0, reported);
  const v = first(d.VerifyingObserverSequence);
  return {
    sopInstanceUID: text(d.SOPInstanceUID),
    seriesInstanceUID: text(d.SeriesInstanceUID),
    sopClassUID: sopClass,
    title: meaning(d) || 'Report',
    date: isoDate(text(d.ContentDate) || text(d.InstanceCreationDate)),
    status: statusOf(d),
    author: authorOf(d),
    text: lines.join('\n').trim(),
    reported: reported.join('\n').trim(),
    draft: text(d.Manufacturer) === APP_NAME ? ownDraft(d) : null,
    indication: indicationOf(d),
    verifier: v ? { personName: rawPersonName(v.VerifyingObserverName), organization: text(v.VerifyingOrganization), at: dateTimeMs(text(v.VerificationDateTime)) } : null,
  };
}

/**
 * The signature on a final report this app wrote, as the reader would have had it on screen (the
 * reader, when, the text signed); null for a draft, or a verifier it cannot read.
 */
export function filedSignature(r: ReadReport): ReportSignature | null {
  if (r.status !== 'final' || !r.verifier || r.draft === null || r.verifier.at === null) return null;
  const reader = readerOfPersonName(r.verifier.personName, r.verifier.organization);
  return reader ? { reader, at: r.verifier.at, text: r.draft } : null;
}

/** A PN as written ("Doe^Jane^^Dr"), from dcmjs's natural form ([{ Alphabetic }]) or a string. */
function rawPersonName(pn: unknown): string {
  const x = Array.isArray(pn) ? pn[0] : pn;
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && 'Alphabetic' in x) return String((x as { Alphabetic?: unknown }).Alphabetic ?? '');
  return '';
}

/** DICOM DT (YYYYMMDDHHMMSS, the rest optional; no offset: local time) as epoch ms; null when it is not one. */
function dateTimeMs(dt: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?/.exec(dt);
  if (!m) return null;
  const t = new Date(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)).getTime();
  return Number.isFinite(t) ? t : null;
}

/** The Finding text of this app's SR (report-sr.ts: root > Findings container > Finding TEXT). */
function ownDraft(d: NaturalDataset): string | null {
  const findings = items(d.ContentSequence).find((i) => text(i.ValueType) === 'CONTAINER' && code(i) === '121070');
  const finding = findings && items(findings.ContentSequence).find((i) => text(i.ValueType) === 'TEXT' && code(i) === '121071');
  return finding ? text(finding.TextValue).replace(/\r\n?/g, '\n') || null : null;
}

/** The text of the root's Indications for Procedure section (121109), any writer's. */
function indicationOf(d: NaturalDataset): string | null {
  const section = items(d.ContentSequence).find((i) => text(i.ValueType) === 'CONTAINER' && code(i) === '121109');
  const said = section ? items(section.ContentSequence).filter((i) => text(i.ValueType) === 'TEXT').map((i) => text(i.TextValue).replace(/\r\n?/g, '\n').trim()) : [];
  return said.filter(Boolean).join('\n') || null;
}

function statusOf(d: NaturalDataset): ReadReport['status'] {
  if (text(d.PreliminaryFlag).toUpperCase() === 'PRELIMINARY') return 'preliminary';
  if (text(d.VerificationFlag).toUpperCase() !== 'VERIFIED') return 'unverified';
  if (text(d.CompletionFlag).toUpperCase() !== 'COMPLETE') return 'partial';
  return 'final';
}

function authorOf(d: NaturalDataset): string {
  const verifier = text(first(d.VerifyingObserverSequence)?.VerifyingObserverName);
  if (verifier) return verifier;
  const author = first(d.AuthorObserverSequence);
  // Its Person Name (0040,A123), else the meaning of its Person Identification Code.
  const person = author && (text(author.PersonName) || text(first(author.PersonIdentificationCodeSequence)?.CodeMeaning));
  if (person) return person;
  // The observer context at the root (TID 1002/1004): a person's or a device's name.
  for (const item of items(d.ContentSequence)) {
    if (text(item.RelationshipType) !== 'HAS OBS CONTEXT') continue;
    if (code(item) === '121008' || code(item) === '121013') return text(item.PersonName ?? item.TextValue);
  }
  return '';
}

/** `heading`: the section the items are in, whose name a text item under it need not say again. */
function writeItems(list: NaturalDataset[], depth: number, out: string[], heading = ''): void {
  if (depth > MAX_DEPTH) return;
  for (const item of list) {
    const relation = text(item.RelationshipType);
    if (relation === 'HAS OBS CONTEXT' || relation === 'HAS CONCEPT MOD' || relation === 'HAS ACQ CONTEXT') continue;
    const name = meaning(item);
    const children = items(item.ContentSequence);
    switch (text(item.ValueType)) {
      case 'CONTAINER': {
        // A heading the text under it begins with anyway ("Findings:" over "Findings: …") is said once.
        const firstText = children.find((c) => text(c.ValueType) === 'TEXT');
        const said = firstText && text(firstText.TextValue).toLowerCase().startsWith(`${name.toLowerCase()}:`);
        if (name && !said) out.push('', `${name}:`);
        writeItems(children, depth + 1, out, name.toLowerCase());
        break;
      }
      case 'TEXT': {
        const value = text(item.TextValue).replace(/\r\n?/g, '\n');
        // "Finding" and the like, or the section's own name again, add nothing to the text under their heading.
        const plain = !name || GENERIC_TEXT.has(name.toLowerCase()) || name.toLowerCase() === heading;
        if (value) out.push(plain ? value : `${name}: ${value}`);
        writeItems(children, depth + 1, out);
        break;
      }
      case 'CODE':
        out.push(`${name}: ${meaning(item, 'ConceptCodeSequence')}`);
        writeItems(children, depth + 1, out);
        break;
      case 'NUM': {
        const measured = first(item.MeasuredValueSequence);
        const unit = measured ? text(first(measured.MeasurementUnitsCodeSequence)?.CodeValue) : '';
        const value = measured ? text(measured.NumericValue) : '';
        if (value) out.push(`${name}: ${value}${unit && unit !== '1' && !unit.startsWith('{') ? ` ${unit}` : ''}`);
        break;
      }
      default:
        // Images, coordinates, UIDs, dates: references and context, not words of the report.
        break;
    }
  }
}

/**
 * Sections (CID 7001 headings, DCM and LOINC) and items that hold the order's words: History,
 * Request, Indications for Procedure, Patient Presentation, Clinical Information.
 */
const CLINICAL_INFORMATION = new Set(['121060', '121062', '121109', '121110', '11329-0', '55115-0', '18785-6', '55108-5', '55752-0']);

const GENERIC_TEXT = new Set(['finding', 'findings', 'text', 'report text', 'request']);
