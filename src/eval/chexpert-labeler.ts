/**
 * A CheXpert-style rule labeler: free-text chest X-ray report -> one label per observation,
 * 1 (positive), 0 (negative), -1 (uncertain) or null (not mentioned), as the CheXpert labeler
 * (Irvin et al. 2019) produces and as the CXR-LLaVA paper used to score its reports.
 *
 * Stages, as in the original: clean and split the report into sentences; find mentions of each
 * observation (chexpert-phrases.ts); classify each mention (pre-negation uncertainty, then
 * negation, then post-negation uncertainty, else positive); aggregate the mentions of a report.
 * Where the original classifies with NegBio dependency patterns, this one uses surface cues with
 * clause-bounded scope, which runs anywhere (browser, Node) with no parser. Its labels agree
 * with the original's on ordinary report sentences, not on every parse.
 */
import {
  CLAUSE_BREAKS,
  LINKING_VERBS,
  NEGATION,
  OBSERVATIONS,
  OTHER_FINDING_PHRASES,
  PHRASES,
  POST_NEGATION_UNCERTAINTY,
  PREDICATE_ADVERBS,
  PRE_NEGATION_UNCERTAINTY,
  PSEUDO_NEGATIONS,
  SCOPE_BREAKS,
  STABLE_UNCERTAINTY,
  type BeforeCue,
  type CueSet,
  type MentionPhrase,
  type MentionedObservation,
  type Observation,
} from './chexpert-phrases';

export { OBSERVATIONS, PAPER_FINDINGS, type Observation } from './chexpert-phrases';

/** 1 positive, 0 negative, -1 uncertain, null not mentioned. */
export type Label = 1 | 0 | -1 | null;
export type LabelVector = Record<Observation, Label>;

/** Why a mention got its label: which rule fired, and on which text. */
export type MentionReason = 'positive' | 'pre-negation uncertainty' | 'negation' | 'uncertainty' | 'stable' | 'asserted uncertain';

export interface Mention {
  /** The observation, or null for one of CheXpert's "other findings" (no column of its own). */
  observation: MentionedObservation | null;
  text: string;
  sentence: string;
  label: 1 | 0 | -1;
  reason: MentionReason;
  /** The cue that decided the label, where one did. */
  cue?: string;
}

export interface LabeledReport {
  labels: LabelVector;
  mentions: Mention[];
}

// ---------------------------------------------------------------------------------------------
// Phrase compilation

const WORD_START = '(?<![a-z0-9])';
const WORD_END = '(?![a-z0-9])';

/** The regular expression body for a phrase (see PHRASE SYNTAX in chexpert-phrases.ts). */
function phraseBody(phrase: string, plural: boolean): string {
  const stem = phrase.endsWith('*');
  const words = (stem ? phrase.slice(0, -1) : phrase).trim().split(/[\s-]+/);
  const body = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s-]+');
  if (stem) return `${body}[a-z]*`;
  return plural ? `${body}(?:s|es)?${WORD_END}` : `${body}${WORD_END}`;
}

function phraseRegex(phrase: string, plural = true): RegExp {
  return new RegExp(WORD_START + phraseBody(phrase, plural), 'g');
}

const alternation = (phrases: readonly string[], plural = false): string =>
  // Longest first, so that "no longer seen" wins over "no".
  [...phrases]
    .sort((a, b) => b.length - a.length)
    .map((p) => phraseBody(p, plural))
    .join('|');

/** The phrases of one observation that share their flags, as one alternation. */
interface CompiledPhrase {
  observation: MentionedObservation | null;
  phrase: Omit<MentionPhrase, 'phrase'>;
  re: RegExp;
}

interface CompiledCueSet {
  before: { cue: BeforeCue; re: RegExp }[];
  /** Predicate after the mention: directly, or after a linking verb a few words on. */
  after: RegExp | null;
  afterVerbal: RegExp | null;
  afterAdjacent: RegExp | null;
}

interface Compiled {
  phrases: CompiledPhrase[];
  /** One alternation of all unmention phrases per observation. */
  unmentions: Map<MentionedObservation, RegExp>;
  preNegation: CompiledCueSet;
  negation: CompiledCueSet;
  postNegation: CompiledCueSet;
  stable: CompiledCueSet;
  pseudo: RegExp[];
  clauseBreak: RegExp;
}

// A gap word: any word but "with"/"without", which start a new phrase ("cardiomegaly with
// normal lungs" says nothing normal about the heart).
const GAP_WORD = '\\s+(?!with(?![a-z])|without(?![a-z]))[a-z][a-z-]*';

function compileCueSet(set: CueSet): CompiledCueSet {
  const link = alternation(LINKING_VERBS);
  const adverbs = alternation(PREDICATE_ADVERBS);
  const after = set.after.length
    ? new RegExp(`^(?:\\s+(?:${alternation(set.after)})|(?:${GAP_WORD}){0,4}?\\s+(?:${link})(?:\\s+(?:${adverbs}))*\\s+(?:${alternation(set.after)}))`)
    : null;
  const afterVerbal = set.afterVerbal?.length ? new RegExp(`^(?:${GAP_WORD}){0,4}?\\s+(?:${alternation(set.afterVerbal)})`) : null;
  const afterAdjacent = set.afterAdjacent?.length ? new RegExp(`^\\s*,?\\s+(?:${alternation(set.afterAdjacent)})`) : null;
  return { before: set.before.map((cue) => ({ cue, re: phraseRegex(cue.cue, false) })), after, afterVerbal, afterAdjacent };
}

let compiled: Compiled | null = null;

function compile(): Compiled {
  if (compiled) return compiled;
  const unmentions = new Map<MentionedObservation, RegExp>();
  const groups = new Map<string, { observation: MentionedObservation | null; flags: Omit<MentionPhrase, 'phrase'>; phrases: string[] }>();
  const add = (observation: MentionedObservation | null, m: string | MentionPhrase) => {
    const { phrase, ...flags } = typeof m === 'string' ? { phrase: m } : m;
    const key = `${observation}|${JSON.stringify(flags)}`;
    const g = groups.get(key) ?? { observation, flags, phrases: [] };
    g.phrases.push(phrase);
    groups.set(key, g);
  };
  for (const [obs, spec] of Object.entries(PHRASES) as [MentionedObservation, (typeof PHRASES)[MentionedObservation]][]) {
    for (const m of spec.mention) add(obs, m);
    if (spec.unmention?.length) unmentions.set(obs, new RegExp(`${WORD_START}(?:${alternation(spec.unmention, true)})`, 'g'));
  }
  for (const p of OTHER_FINDING_PHRASES) add(null, p);
  // Longest phrase first in each alternation, so "heart size" wins over "heart" at one position.
  const phrases: CompiledPhrase[] = [...groups.values()].map((g) => ({ observation: g.observation, phrase: g.flags, re: new RegExp(`${WORD_START}(?:${alternation(g.phrases, true)})`, 'g') }));
  compiled = {
    phrases,
    unmentions,
    preNegation: compileCueSet(PRE_NEGATION_UNCERTAINTY),
    negation: compileCueSet(NEGATION),
    postNegation: compileCueSet(POST_NEGATION_UNCERTAINTY),
    stable: compileCueSet(STABLE_UNCERTAINTY),
    pseudo: PSEUDO_NEGATIONS.map((p) => phraseRegex(p, false)),
    clauseBreak: new RegExp(`${WORD_START}(?:${alternation(CLAUSE_BREAKS)})`, 'g'),
  };
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Cleaning and sentence splitting

/** Lower case, "and/or" -> "or", "a/b" -> "a or b", single spaces (CheXpert's Loader.clean). */
export function cleanText(text: string): string {
  return text
    .toLowerCase()
    .replace(/and\/or/g, 'or')
    .replace(/(?<=[a-z])\/(?=[a-z])/g, ' or ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Sentences of a report: split at blank lines, list markers ("1." "2)"), and at . ? ! ; : (a
 * period between digits, as in "1.5 cm", splits nothing). Single newlines are line wrapping.
 */
export function splitSentences(report: string): string[] {
  const out: string[] = [];
  for (const block of report.split(/\n\s*\n/)) {
    // A list marker ends the sentence before it, whatever punctuation it has.
    const marked = block.replace(/(^|\s)\d{1,2}[.)](?=\s)/g, '$1. ');
    for (const piece of marked.split(/(?<!\d)\.|\.(?!\d)|[?!;:]/)) {
      const s = cleanText(piece);
      if (/[a-z]/.test(s)) out.push(s);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mentions

interface Span {
  start: number;
  end: number;
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

function allMatches(re: RegExp, text: string): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length });
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

interface RawMention extends Span {
  observation: MentionedObservation | null;
  phrase: Omit<MentionPhrase, 'phrase'>;
}

function findMentions(sentence: string, c: Compiled): RawMention[] {
  const byObservation = new Map<MentionedObservation | null, RawMention[]>();
  const blockedBy = new Map<MentionedObservation, Span[]>();
  const blockedFor = (obs: MentionedObservation | null): Span[] => {
    if (obs === null) return [];
    let spans = blockedBy.get(obs);
    if (!spans) {
      const re = c.unmentions.get(obs);
      spans = re ? allMatches(re, sentence) : [];
      blockedBy.set(obs, spans);
    }
    return spans;
  };
  for (const p of c.phrases) {
    const matches = allMatches(p.re, sentence);
    if (!matches.length) continue;
    const blocked = blockedFor(p.observation);
    for (const span of matches) {
      if (blocked.some((b) => overlaps(b, span))) continue;
      const list = byObservation.get(p.observation) ?? [];
      list.push({ ...span, observation: p.observation, phrase: p.phrase });
      byObservation.set(p.observation, list);
    }
  }
  // Per observation, overlapping matches are one mention: keep the longest ("heart size" over "heart").
  const out: RawMention[] = [];
  for (const list of byObservation.values()) {
    list.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const kept: RawMention[] = [];
    for (const m of list) if (!kept.some((k) => overlaps(k, m))) kept.push(m);
    out.push(...kept);
  }
  return out.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------
// Classification

interface SentenceContext {
  text: string;
  clauses: Span[];
  scopeBreaks: Span[];
  pseudo: Span[];
  /** Where each cue set's "before" cues occur in this sentence (found once per sentence). */
  cueSpans: Map<CompiledCueSet, { cue: BeforeCue; span: Span }[]>;
}

function sentenceContext(text: string, c: Compiled): SentenceContext {
  const clauses: Span[] = [];
  let start = 0;
  for (const b of allMatches(c.clauseBreak, text)) {
    clauses.push({ start, end: b.start });
    start = b.end;
  }
  clauses.push({ start, end: text.length });
  const scopeBreaks = SCOPE_BREAKS.flatMap((re) => allMatches(re, text));
  const pseudo = c.pseudo.flatMap((re) => allMatches(re, text));
  return { text, clauses, scopeBreaks, pseudo, cueSpans: new Map() };
}

const countWords = (s: string) => s.split(/[^a-z0-9]+/).filter(Boolean).length;

/** The cue of `set` that applies to the mention, if any. */
function matchCue(set: CompiledCueSet, m: Span, ctx: SentenceContext, ignorePseudo: boolean): string | null {
  const clause = ctx.clauses.find((cl) => m.start >= cl.start && m.start < cl.end) ?? { start: 0, end: ctx.text.length };
  let cues = ctx.cueSpans.get(set);
  if (!cues) {
    cues = set.before.flatMap(({ cue, re }) => allMatches(re, ctx.text).map((span) => ({ cue, span })));
    ctx.cueSpans.set(set, cues);
  }
  for (const { cue, span } of cues) {
    if (span.end > m.start || span.start < clause.start) continue;
    if (ignorePseudo && ctx.pseudo.some((p) => overlaps(p, span))) continue;
    if (ctx.scopeBreaks.some((b) => b.start >= span.end && b.end <= m.start)) continue;
    if (cue.maxWords !== undefined && countWords(ctx.text.slice(span.end, m.start)) > cue.maxWords) continue;
    return ctx.text.slice(span.start, span.end);
  }
  const rest = ctx.text.slice(m.end, clause.end);
  for (const re of [set.after, set.afterVerbal, set.afterAdjacent]) {
    const hit = re?.exec(rest);
    if (hit) return hit[0].trim();
  }
  return null;
}

function classify(m: RawMention, ctx: SentenceContext, c: Compiled): { label: 1 | 0 | -1; reason: MentionReason; cue?: string } {
  const pre = matchCue(c.preNegation, m, ctx, false);
  if (pre) return { label: -1, reason: 'pre-negation uncertainty', cue: pre };
  const neg = matchCue(c.negation, m, ctx, true);
  if (neg) return { label: 0, reason: 'negation', cue: neg };
  const unc = matchCue(c.postNegation, m, ctx, false);
  if (unc) return { label: -1, reason: 'uncertainty', cue: unc };
  if (m.phrase.stableIsUncertain) {
    const stable = matchCue(c.stable, m, ctx, false);
    if (stable) return { label: -1, reason: 'stable', cue: stable };
  }
  if (m.phrase.assertedUncertain) return { label: -1, reason: 'asserted uncertain' };
  return { label: 1, reason: 'positive' };
}

// ---------------------------------------------------------------------------------------------
// Aggregation

export function emptyLabels(): LabelVector {
  return Object.fromEntries(OBSERVATIONS.map((o) => [o, null])) as LabelVector;
}

/**
 * CheXpert's Aggregator: several mentions of one observation -> positive if any is positive,
 * else uncertain if any is uncertain, else negative. "No Finding" is 1 when no mention other
 * than Support Devices is positive or uncertain (other findings included), else blank.
 */
export function aggregate(mentions: readonly Pick<Mention, 'observation' | 'label'>[]): LabelVector {
  const labels = emptyLabels();
  let noFinding = true;
  for (const { observation, label } of mentions) {
    if (observation !== 'Support Devices' && label !== 0) noFinding = false;
    if (observation === null) continue;
    const prev = labels[observation];
    labels[observation] = prev === null ? label : prev === 1 || label === 1 ? 1 : prev === -1 || label === -1 ? -1 : 0;
  }
  if (noFinding) labels['No Finding'] = 1;
  return labels;
}

/** Labels one report, with the mentions behind them (for tests and for explaining a label). */
export function labelReportDetailed(report: string): LabeledReport {
  const c = compile();
  const mentions: Mention[] = [];
  for (const sentence of splitSentences(report)) {
    const ctx = sentenceContext(sentence, c);
    for (const raw of findMentions(sentence, c)) {
      const { label, reason, cue } = classify(raw, ctx, c);
      const text = sentence.slice(raw.start, raw.end);
      mentions.push({ observation: raw.observation, text, sentence, label, reason, ...(cue ? { cue } : {}) });
      // CheXpert's exception: an asserted "chf" / "heart failure" is also an uncertain Cardiomegaly.
      if (label !== 0) {
        for (const also of raw.phrase.alsoUncertain ?? []) mentions.push({ observation: also, text, sentence, label: -1, reason: 'asserted uncertain' });
      }
    }
  }
  return { labels: aggregate(mentions), mentions };
}

/** A mention of a phrase outside CheXpert's observations, labelled with the same cues (labelPhrases). */
export interface PhraseMention {
  /** The name the caller gave the phrases. */
  name: string;
  text: string;
  sentence: string;
  label: 1 | 0 | -1;
  reason: MentionReason;
  cue?: string;
}

/**
 * Finds and labels mentions of other findings than CheXpert's (named lists of phrases, in the
 * PHRASE SYNTAX of chexpert-phrases.ts) with the labeler's own negation and uncertainty rules:
 * "no free air" is negative and "cannot exclude pneumomediastinum" uncertain, as for its observations.
 */
export function labelPhrases(report: string, phrases: Readonly<Record<string, readonly string[]>>): PhraseMention[] {
  const c = compile();
  const named = Object.entries(phrases).map(([name, list]) => ({ name, re: new RegExp(`${WORD_START}(?:${alternation(list, true)})`, 'g') }));
  const out: PhraseMention[] = [];
  for (const sentence of splitSentences(report)) {
    let ctx: SentenceContext | null = null;
    for (const { name, re } of named) {
      for (const span of allMatches(re, sentence)) {
        ctx ??= sentenceContext(sentence, c);
        const { label, reason, cue } = classify({ ...span, observation: null, phrase: {} }, ctx, c);
        out.push({ name, text: sentence.slice(span.start, span.end), sentence, label, reason, ...(cue ? { cue } : {}) });
      }
    }
  }
  return out;
}

export function labelReport(report: string): LabelVector {
  return labelReportDetailed(report).labels;
}
