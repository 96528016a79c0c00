import { labelReportDetailed, OBSERVATIONS, type Observation } from '../eval/chexpert-labeler';

/**
 * The model's answer to the findings preset (FINDINGS_QUESTION), read into the 14 CheXpert
 * observations: positive / negative / uncertain / not mentioned.
 *
 * The question asks "present, absent or uncertain" for each observation by name, so answers come
 * as lists ("Pleural effusion: absent") or as short verdicts ("Cardiomegaly is present."). Those
 * are read here, by name. Everything else is prose, and goes to the project's CheXpert labeler
 * (src/eval/chexpert-labeler.ts), which the report-scoring CLI uses too.
 */

export { OBSERVATIONS, type Observation };

export type FindingLabel = 'positive' | 'negative' | 'uncertain' | 'not mentioned';

export interface FindingRow {
  observation: Observation;
  label: FindingLabel;
  /** The sentences that decided the label (empty when not mentioned or derived). */
  evidence: string[];
}

type Verdict = Exclude<FindingLabel, 'not mentioned'>;
interface Mention {
  /** null: a finding CheXpert has no column for ("other findings"); it still rules out No Finding. */
  observation: Observation | null;
  label: Verdict;
  sentence: string;
}

/** Names an answer uses for each observation: the question's own words, plus plain variants. */
const NAMES: [RegExp, Observation][] = [
  [/no (?:acute )?(?:findings?|abnormalit(?:y|ies))|normal(?: study| chest)?/, 'No Finding'],
  [/enlarged cardiomediastinum|cardiomediastinal enlargement|widened mediastinum/, 'Enlarged Cardiomediastinum'],
  [/cardiomegaly|enlarged heart|cardiac enlargement/, 'Cardiomegaly'],
  [/lung opacit(?:y|ies)|opacit(?:y|ies)/, 'Lung Opacity'],
  [/lung lesions?|lesions?|nodules?|mass(?:es)?/, 'Lung Lesion'],
  [/(?:pulmonary )?edema|oedema/, 'Edema'],
  [/consolidations?/, 'Consolidation'],
  [/pneumonias?/, 'Pneumonia'],
  [/atelectasis/, 'Atelectasis'],
  [/pneumothorax|pneumothoraces/, 'Pneumothorax'],
  [/(?:pleural )?effusions?/, 'Pleural Effusion'],
  [/pleural others?|other pleural (?:findings?|abnormalit(?:y|ies))|pleural thickening/, 'Pleural Other'],
  [/fractures?/, 'Fracture'],
  [/support devices?|devices?|lines? and tubes?|tubes? and lines?/, 'Support Devices'],
];

const VERDICTS: [RegExp, Verdict][] = [
  [/(?:un ?certain|unclear|indeterminate|equivocal|possible|possibly(?: present)?|probable|probably(?: present)?|likely(?: present)?|suspected|questionable|cannot be (?:excluded|ruled out)|not (?:be )?excluded|maybe)/, 'uncertain'],
  [/(?:absent|negative|no|none|not (?:present|seen|identified|detected|visualized|evident)|ruled out)/, 'negative'],
  [/(?:present|positive|yes|seen|identified|detected)/, 'positive'],
];

const NAME = `(?:the |a |an |any )?(${NAMES.map(([re]) => re.source).join('|')})`;
const VERDICT = `(${VERDICTS.map(([re]) => re.source).join('|')})`;
/** "Pleural effusion: absent", "- Fracture - no", "2. Edema = uncertain (small)". */
const LIST_FORM = new RegExp(`^${NAME}\\s*[:=–—-]\\s*${VERDICT}\\b`);
/** "Cardiomegaly is present.", "Pleural effusions are not seen." */
const VERDICT_FORM = new RegExp(`^(?:there (?:is|are) )?${NAME}\\s+(?:is|are)\\s+(?:(?:also|clearly|definitely) )?${VERDICT}\\s*$`);
/** "There is no finding.", "No acute abnormality." */
const NO_FINDING_FORM = /^(?:there (?:is|are) )?no (?:acute |significant )?(?:findings?|abnormalit(?:y|ies))(?: (?:is|are) (?:seen|present|identified))?$/;

/** Lines, list items and sentences, without bullets, numbering or the closing stop. */
export function answerParts(text: string): string[] {
  return text
    .replace(/\r/g, '')
    .split(/\n+|;|(?<=[.!?])\s+(?=[^a-z\s])/)
    .map((s) =>
      s
        .replace(/^\s*(?:[-•]|\*(?!\*)|\d{1,2}[.)])\s*/, '')
        .replace(/[.!\s]+$/, '')
        .trim(),
    )
    .filter((s) => s.length > 0);
}

function nameOf(name: string): Observation | null {
  return NAMES.find(([re]) => new RegExp(`^(?:${re.source})$`).test(name))?.[1] ?? null;
}

function verdictOf(word: string): Verdict {
  return VERDICTS.find(([re]) => new RegExp(`^(?:${re.source})$`).test(word))?.[1] ?? 'positive';
}

/** "absent", "uncertain (small)", "yes": a verdict and nothing more (a list item's answer), or null. */
export function bareVerdict(text: string): Verdict | null {
  const m = new RegExp(`^${VERDICT}\\s*(?:\\([^)]*\\))?$`).exec(text.toLowerCase().replace(/[.!\s]+$/, '').trim());
  return m ? verdictOf(m[1]!) : null;
}

/** A part that answers by name ("X: absent", "X is present"), or null for prose. */
export function readVerdict(part: string): Mention | null {
  const s = part.toLowerCase().replace(/\*+|__/g, '').replace(/\s+/g, ' ').trim();
  if (NO_FINDING_FORM.test(s)) return { observation: 'No Finding', label: 'positive', sentence: part };
  const m = LIST_FORM.exec(s) ?? VERDICT_FORM.exec(s);
  if (!m) return null;
  const observation = nameOf(m[1]!);
  return observation ? { observation, label: verdictOf(m[2]!), sentence: part } : null;
}

const RANK: Record<Verdict, number> = { positive: 3, uncertain: 2, negative: 1 };
const FROM_LABELER = { 1: 'positive', 0: 'negative', [-1]: 'uncertain' } as const;

/** Reads a findings answer into one row per CheXpert observation, in CheXpert's order. */
export function parseFindings(answer: string): FindingRow[] {
  const mentions: Mention[] = [];
  const prose: string[] = [];
  for (const part of answerParts(answer)) {
    const v = readVerdict(part);
    if (v) mentions.push(v);
    else prose.push(part);
  }
  if (prose.length) {
    for (const m of labelReportDetailed(prose.join('.\n\n')).mentions) {
      mentions.push({ observation: m.observation, label: FROM_LABELER[m.label], sentence: m.sentence });
    }
  }

  // CheXpert's aggregation: positive beats uncertain beats negative.
  const best = new Map<Observation, { label: Verdict; evidence: string[] }>();
  for (const m of mentions) {
    if (!m.observation) continue;
    const cur = best.get(m.observation);
    if (!cur || RANK[m.label] > RANK[cur.label]) best.set(m.observation, { label: m.label, evidence: [m.sentence] });
    else if (cur.label === m.label && !cur.evidence.includes(m.sentence)) cur.evidence.push(m.sentence);
  }
  const rows: FindingRow[] = OBSERVATIONS.map((observation) => {
    const b = best.get(observation);
    return { observation, label: b?.label ?? 'not mentioned', evidence: b?.evidence ?? [] };
  });

  // CheXpert's rule: "No Finding" only when nothing but support devices is positive or uncertain.
  // Said outright, or implied when the answer rules things out; beside a finding, "negative"
  // (where CheXpert leaves it blank). Nothing mentioned at all stays "not mentioned".
  const noFinding = rows.find((r) => r.observation === 'No Finding')!;
  const finding = mentions.some((m) => m.observation !== 'No Finding' && m.observation !== 'Support Devices' && m.label !== 'negative');
  if (finding) noFinding.label = 'negative';
  else if (noFinding.label === 'not mentioned' && mentions.some((m) => m.label === 'negative')) noFinding.label = 'positive';
  return rows;
}
