import { labelPhrases, labelReportDetailed, type PhraseMention } from '../eval/chexpert-labeler';
import { answerParts, bareVerdict } from './findings';
import { localMinute } from './signature';

/**
 * Findings in a report that may need to reach the referring clinician at once, outside the report
 * (the ACR Practice Parameter for Communication of Diagnostic Imaging Findings; Larson et al.,
 * "Actionable findings", JACR 2014), and whether the report documents that they did.
 *
 * Mentions are found and labelled by the project's CheXpert labeler: "no pneumothorax" and
 * "pneumothorax has resolved" are not flagged, "cannot exclude pneumothorax" is (as possible).
 * A finding said to be known (stable, unchanged, smaller, improving) is not flagged either: the
 * parameter asks for communication of new or unexpected findings. The flag is a reminder, never a
 * gate: the reader decides what is critical, and documents its communication in the report itself,
 * where every export and the SR carry it.
 */

export type Urgency = 'immediate' | 'urgent';

export interface CriticalFinding {
  /** "tension pneumothorax". */
  name: string;
  urgency: Urgency;
  /** Asserted, or only possible ("cannot exclude", "concerning for"). */
  certainty: 'present' | 'possible';
  /** The report's sentence that mentions it (lower-cased, as the labeler reads it). */
  sentence: string;
}

const URGENCY: Record<string, Urgency> = {
  'tension pneumothorax': 'immediate',
  pneumoperitoneum: 'immediate',
  'malpositioned tube': 'immediate',
  'aortic dissection': 'immediate',
  pneumothorax: 'urgent',
  pneumomediastinum: 'urgent',
};

/** Phrases for the findings CheXpert has no column of its own for (pneumothorax is its observation). */
const PHRASES: Record<string, readonly string[]> = {
  'tension pneumothorax': ['tension pneumothorax', 'tension pneumothoraces', 'tension physiology'],
  pneumoperitoneum: ['pneumoperitoneum', 'free air', 'free gas', 'free intraperitoneal air', 'free subdiaphragmatic air', 'subdiaphragmatic free air'],
  'malpositioned tube': [
    'malposition*',
    'misplaced',
    'mainstem intubation',
    'esophageal intubation',
    'oesophageal intubation',
    'in the right mainstem bronchus',
    'in the left mainstem bronchus',
    'in the right main bronchus',
    'in the left main bronchus',
  ],
  pneumomediastinum: ['pneumomediastinum'],
  'aortic dissection': ['aortic dissection', 'dissection of the aorta'],
};

/** Words that say a finding is known: the parameter's communication is for new or unexpected ones. */
const KNOWN_WORDS = 'stable|unchanged|again (?:seen|noted)|decreas\\w*|smaller|improv\\w*|resolving|known|previously (?:seen|noted|reported)';
const KNOWN = new RegExp(`\\b(?:${KNOWN_WORDS})\\b`);
/** A clause that is only such a word for the clause before it: ", unchanged from prior", ", stable in size", ", stable." */
const KNOWN_AFTER = new RegExp(`^\\s*(?:which is |is |now )?(?:${KNOWN_WORDS})\\b(?:\\s+(?:in size|in extent|in appearance|from|since|compared|relative|when|to|on|over|as)\\b.*)?[\\s.]*$`);
/** A clause that is only such a word for the clause after it: "Unchanged, small right pneumothorax." */
const KNOWN_BEFORE = new RegExp(`^\\s*(?:${KNOWN_WORDS})\\s*$`);
/** Where a sentence splits into the clauses a known-word can belong to. */
const CLAUSE = /[,;:]|\b(?:and|with|but|while|whereas|although)\b/;

/**
 * Whether a mention (`text` in `sentence`) is said to be known: a known-word in its own clause, or
 * a clause of one just after or before it. Scoped so that "new pneumothorax, unchanged tube" is
 * still flagged: the tube is unchanged, not the pneumothorax.
 */
function saidKnown(sentence: string, text: string): boolean {
  const at = sentence.indexOf(text);
  if (at < 0) return KNOWN.test(sentence);
  const clauses: { start: number; text: string }[] = [];
  let start = 0;
  for (const m of sentence.matchAll(new RegExp(CLAUSE, 'g'))) {
    clauses.push({ start, text: sentence.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  clauses.push({ start, text: sentence.slice(start) });
  const i = clauses.findLastIndex((c) => c.start <= at);
  return KNOWN.test(clauses[i]!.text) || KNOWN_AFTER.test(clauses[i + 1]?.text ?? '') || KNOWN_BEFORE.test(clauses[i - 1]?.text ?? '');
}

/** A list item ("Pneumothorax: absent", "Free air - uncertain") split into its name and its answer. */
const LIST_ITEM = /^(.{1,80}?)\s*[:=–—-]\s*(.+)$/;

/**
 * The report as the labeler reads prose: a list item's "Pneumothorax: absent" (the findings preset
 * answers in lists) becomes "No pneumothorax", "uncertain" "Possible …"; everything else is as written.
 */
function asProse(report: string): string {
  const sentence = (part: string) => {
    const m = LIST_ITEM.exec(part);
    const verdict = m ? bareVerdict(m[2]!) : null;
    if (!m || !verdict) return part;
    return verdict === 'negative' ? `No ${m[1]}` : verdict === 'uncertain' ? `Possible ${m[1]}` : m[1]!;
  };
  return answerParts(report).map(sentence).join('.\n');
}

/** The critical findings a report mentions, most urgent first; each named once (the surest mention). */
export function criticalFindings(report: string): CriticalFinding[] {
  const prose = asProse(report);
  const mentions: Pick<PhraseMention, 'name' | 'label' | 'sentence' | 'text'>[] = [
    ...labelReportDetailed(prose)
      .mentions.filter((m) => m.observation === 'Pneumothorax')
      .map((m) => ({ name: 'pneumothorax', label: m.label, sentence: m.sentence, text: m.text })),
    ...labelPhrases(prose, PHRASES),
  ];
  const found = new Map<string, CriticalFinding>();
  for (const m of mentions) {
    if (m.label === 0 || saidKnown(m.sentence, m.text)) continue;
    const certainty = m.label === 1 ? 'present' : 'possible';
    const had = found.get(m.name);
    if (!had || (had.certainty === 'possible' && certainty === 'present')) found.set(m.name, { name: m.name, urgency: URGENCY[m.name]!, certainty, sentence: m.sentence });
  }
  // A tension pneumothorax is one finding, not two.
  if (found.has('tension pneumothorax')) found.delete('pneumothorax');
  return [...found.values()].sort((a, b) => (a.urgency === b.urgency ? 0 : a.urgency === 'immediate' ? -1 : 1));
}

/**
 * Whether the report documents a communication of its findings: a sentence that says they were
 * communicated, discussed with, called to, or notified to someone, as reports word it.
 */
export function communicationDocumented(report: string): boolean {
  return /\b(?:communicated|discussed|notified|conveyed|relayed|telephoned|paged)\b|\bcalled (?:in )?to\b|\binformed (?:dr|the)\b/i.test(report);
}

/** What a report names as critical with no communication documented: "pneumothorax", and the most urgent of them. */
export interface UndocumentedCritical {
  names: string;
  urgency: Urgency;
}

/** The critical findings a report names with no communication documented, or null. */
export function undocumentedCritical(report: string): UndocumentedCritical | null {
  const findings = criticalFindings(report);
  // Most urgent first (criticalFindings' order).
  return findings.length && !communicationDocumented(report) ? { names: listFindings(findings), urgency: findings[0]!.urgency } : null;
}

export const METHODS = ['by telephone', 'in person', 'by secure message', 'by page'] as const;
export type Method = (typeof METHODS)[number];

export interface Communication {
  findings: readonly Pick<CriticalFinding, 'name' | 'certainty'>[];
  /** Who was told: "Dr A. Smith, Emergency Department". */
  recipient: string;
  method: Method;
  /** Epoch ms. */
  at: number;
  /** Who told them (the reader's name), when known. */
  by: string;
  /** The recipient read the result back and confirmed it (the parameter's advice for verbal reports). */
  readBack: boolean;
}

/** "pneumothorax, possible pneumomediastinum and free air": names joined as a sentence says them. */
export function listFindings(findings: Communication['findings']): string {
  const names = findings.map((f) => (f.certainty === 'possible' ? `possible ${f.name}` : f.name));
  return names.length <= 1 ? (names[0] ?? 'the findings') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** What the problem is with a communication to be documented, or null. */
export function communicationProblem(c: Pick<Communication, 'recipient' | 'at'>, now = Date.now()): string | null {
  if (!c.recipient.trim()) return 'Say who was told (name, and role or department).';
  if (!Number.isFinite(c.at)) return 'Say when they were told.';
  if (c.at > now + 60_000) return 'The time is in the future.';
  return null;
}

/**
 * The report's sentence documenting the communication, in the parameter's terms: what, to whom,
 * how, when, by whom, and the read-back. communicationDocumented() recognises it.
 */
export function communicationSentence(c: Communication): string {
  const by = c.by.trim() ? ` by ${c.by.trim()}` : '';
  const readBack = c.readBack ? '; read back and confirmed' : '';
  return `Critical result: ${listFindings(c.findings)} communicated${by} to ${c.recipient.trim()} ${c.method} on ${localMinute(c.at).replace(' ', ' at ')}${readBack}.`;
}
