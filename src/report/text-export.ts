import { describeModel, describeStudy, DISCLAIMER, localDate, localDateTime, PRESET_TITLES, type ReportDocument } from './context';
import type { FindingRow } from './findings';
import { describeChanges } from './draft-changes';
import { describeSigner, SIGNED_NOTICE } from './signature';
import { measurementLines, measurementsHeading } from './structured-measurements';

/**
 * Plain-text and Markdown exports: a header that says what wrote the draft, that it is not for
 * clinical use unreviewed (or, once signed, who signed it and when, and what it amends), and when; a study line with no patient identifiers; then the text, and
 * the lengths in mm and the ratio the reader drew on the image (whether or not they were added to
 * the text; lengths in pixels only as the text has them).
 */

export interface TextFile {
  name: string;
  mime: string;
  content: string;
}

/** The header's facts, in order: status and signature, model, date, study and its reason (shared with Print). */
export function headerFacts(doc: ReportDocument): [string, string][] {
  const sig = doc.signature;
  return [
    ['Status', sig ? (sig.amends ? (sig.amends.addendum ? 'final, with addendum' : 'final, amended') : 'final') : 'unsigned draft'],
    ...(sig ? [['Signed by', describeSigner(sig)] as [string, string]] : []),
    ...(sig?.amends ? [[sig.amends.addendum ? 'Addendum to' : 'Amends', `the report signed by ${describeSigner(sig.amends)}`] as [string, string]] : []),
    ...(doc.aiDraft ? [['AI draft', describeChanges(doc.aiDraft)] as [string, string]] : []),
    ['Model', describeModel(doc.model)],
    ['Date', localDateTime(doc.now)],
    ...(doc.study ? [['Study', describeStudy(doc.study)] as [string, string]] : []),
    ...(doc.study?.studyDate ? [['Study date', doc.study.studyDate] as [string, string]] : []),
    ...(doc.indication ? [['Reason for the study', doc.indication] as [string, string]] : []),
    ...(doc.study?.fitWarning ? [['Warning', doc.study.fitWarning] as [string, string]] : []),
  ];
}

/** The line under the title: the AI-draft disclaimer, or once signed, that the reader signed it. */
export function exportNotice(doc: ReportDocument): string {
  return doc.signature ? SIGNED_NOTICE : DISCLAIMER;
}

function title(doc: ReportDocument): string {
  return `Chest radiograph — ${PRESET_TITLES[doc.preset ?? 'report']}`;
}

export function toPlainText(doc: ReportDocument): string {
  const t = title(doc);
  const lines = [t, '='.repeat(t.length), exportNotice(doc), ...headerFacts(doc).map(([k, v]) => `${k}: ${v}`), '', doc.text.trim(), ''];
  if (doc.findings) {
    lines.push('Findings (CheXpert observations, read from the answer by rule)', ...doc.findings.map((r) => `  ${r.observation.padEnd(28)}${r.label}`), '');
  }
  const m = doc.measurements && measurementLines(doc.measurements);
  if (m?.length) lines.push(`${measurementsHeading(doc.measurements!)}:`, ...m.map((l) => `  ${l}`), '');
  return lines.join('\n');
}

export function toMarkdown(doc: ReportDocument): string {
  const lines = [
    `# ${title(doc)}`,
    '',
    `> **${exportNotice(doc)}**`,
    '',
    ...headerFacts(doc).map(([k, v]) => `- **${k}:** ${escapeMarkdown(v)}`),
    '',
    '## Report',
    '',
    // The model's text is shown as written, not rendered as Markdown: a fenced block keeps "#",
    // "*" and "<" from turning into headings, emphasis or HTML in a viewer.
    fence(doc.text.trim()),
    '',
  ];
  if (doc.findings) lines.push('## Findings', '', ...findingsTable(doc.findings), '');
  const m = doc.measurements && measurementLines(doc.measurements);
  if (m?.length) lines.push('## Measurements', '', `${escapeMarkdown(measurementsHeading(doc.measurements!))}:`, '', ...m.map((l) => `- ${escapeMarkdown(l)}`), '');
  return lines.join('\n');
}

function findingsTable(rows: FindingRow[]): string[] {
  return ['| Observation | Label |', '| --- | --- |', ...rows.map((r) => `| ${r.observation} | ${r.label} |`)];
}

function fence(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}text\n${text}\n${ticks}`;
}

function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

export function exportFile(doc: ReportDocument, format: 'txt' | 'md'): TextFile {
  const base = `cxr-report-${localDate(doc.now)}`;
  return format === 'md'
    ? { name: `${base}.md`, mime: 'text/markdown; charset=utf-8', content: toMarkdown(doc) }
    : { name: `${base}.txt`, mime: 'text/plain; charset=utf-8', content: toPlainText(doc) };
}
