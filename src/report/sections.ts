/**
 * A report's Findings and Impression (Conclusion) sections, found by their headings ("Findings:",
 * "IMPRESSION", "Conclusion:" at the start of a line), for the checks that read them apart and for
 * rewriting the impression.
 */

const HEADING = /^[ \t]*(findings|impression|conclusions?)\b[ \t]*:?/gim;

/** The report's Findings and Impression (Conclusion) sections' text, when it has both. */
export function reportSections(report: string): { findings: string; impression: string } | null {
  const heads = [...report.matchAll(HEADING)].map((m) => ({ kind: /^find/i.test(m[1]!) ? 'findings' : 'impression', start: m.index, end: m.index + m[0].length }));
  const text = { findings: '', impression: '' };
  heads.forEach((h, i) => {
    text[h.kind as keyof typeof text] += ` ${report.slice(h.end, heads[i + 1]?.start ?? report.length)}`;
  });
  return text.findings.trim() && text.impression.trim() ? text : null;
}

/**
 * Where the report's impression begins: just after its heading, when the report has findings and
 * its last section is the impression (what "Rewrite the impression" keeps up to). null otherwise.
 */
export function impressionStart(report: string): number | null {
  const heads = [...report.matchAll(HEADING)];
  const last = heads.at(-1);
  if (!last || /^find/i.test(last[1]!) || !heads.some((h) => /^find/i.test(h[1]!))) return null;
  return last.index + last[0].length;
}
