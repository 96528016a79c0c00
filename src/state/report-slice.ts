import type { StateCreator } from 'zustand';
import type { StopReason } from '../generate/chat-session';
import type { PresetId } from '../generate/prompt';
import { headerField } from '../report/context';
import { modelIndexAt } from '../report/draft-changes';
import { changedSince, isAddendum, readerName, reportSignProblem, type Reader, type ReportSignature } from '../report/signature';
import type { AppState } from './store';

export interface ReportVersion {
  text: string;
  preset: ReportPreset;
  createdAt: number;
  /** The version as it was signed, before an amendment: who signed it ("Dr Jane Doe"). */
  signedBy?: string;
  /** The model's own text for it (modelReport), when known. */
  model?: string;
}

export type ReportPreset = Exclude<PresetId, 'question'> | 'findings' | 'question';

/** A saved draft was put back (src/session/drafts.ts); the UI says so until dismissed. */
export interface DraftNotice {
  /** When the draft was last saved. */
  savedAt: number;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  text: string;
  /** true while the answer is still streaming. */
  streaming?: boolean;
  interrupted?: boolean;
  /** The answer ended at its length limit (max new tokens, or the context) before the model finished it. */
  atLimit?: boolean;
}

/**
 * The report and the chat of the open study. Streaming and editing meet by appending: model
 * text is only ever added at the END of the report, so whatever the user typed anywhere stays
 * as they left it, during streaming and after.
 *
 * Once the reader signs it, the report is read-only: nothing edits, streams into, inserts into or
 * replaces it until they amend it, which reopens it and keeps the signed text under Earlier versions.
 */
export interface ReportSlice {
  report: string;
  reportPreset: ReportPreset | null;
  streaming: 'report' | 'chat' | null;
  /** Earlier versions, kept when the user regenerates. Newest last. */
  versions: ReportVersion[];
  /**
   * The model's own text of the report on screen: what streamed in, without the reader's edits
   * (report/draft-changes.ts compares the two). null when not known: typed by the reader, a filed
   * draft taken over, or a draft saved before it was kept.
   */
  modelReport: string | null;
  chat: ChatMessage[];
  /** The follow-up question being typed (kept in the store so drafts save it with the report). */
  chatInput: string;
  setChatInput: (text: string) => void;
  /**
   * The reason for the study as the reader typed it (a PNG or JPEG has none in its header; an order
   * may say more than the file). null: as the file says (studyIndication). Saved with the draft.
   */
  indication: string | null;
  setIndication: (text: string | null) => void;
  startReport: (preset: ReportPreset) => void;
  /** The model goes on writing the report on screen from its end (Continue): nothing is replaced or kept aside. */
  resumeReport: () => void;
  /**
   * Ends the report at `at` (the start of its impression, to be written again), the whole of it
   * kept under Earlier versions; the model's own text is cut at the same place.
   */
  cutReport: (at: number) => void;
  /**
   * How the model's last writing of the report on screen ended (this tab only): a Stop or the
   * length limit leaves it unfinished, which the panel says, beside Continue. `added`: its new tokens.
   */
  reportEnd: { reason: StopReason; added: number } | null;
  setReportEnd: (end: { reason: StopReason; added: number } | null) => void;
  appendReport: (delta: string) => void;
  editReport: (text: string) => void;
  /** Where the user last had the caret in the report box, with the text it was in (set by the box). */
  reportCaret: { report: string; at: number } | null;
  setReportCaret: (caret: { report: string; at: number }) => void;
  /**
   * Puts a line of text (the lengths measured on the image) into the report where the user last had
   * the caret, as a line of its own; at the end when the caret was never put in the report, or the
   * text has changed since other than by streaming. `fromModel`: the model wrote it (a follow-up
   * answer), so it goes into the model's own text too, at the same place, and counts as the model's.
   */
  insertReportLine: (line: string, opts?: { fromModel?: boolean }) => void;
  /** A line the model wrote, put into the report by the box itself (`before`: the report then, `at`: where): into the model's own text too. */
  noteModelLine: (before: string, at: number, line: string) => void;
  restoreVersion: (index: number) => void;
  /**
   * Puts `text` in as the report (a draft filed from another workstation); the report it replaces
   * stays under Earlier versions. `amends`: the filed report was signed, so signing this one amends it.
   */
  takeReport: (text: string, amends?: ReportSignature) => void;
  startChat: (question: string) => void;
  appendChat: (delta: string) => void;
  finishStreaming: (opts?: { interrupted?: boolean; atLimit?: boolean }) => void;
  /** The last answer of the chat, stopped or cut at its limit, streams on (its Continue). */
  resumeChat: () => void;
  resetConversation: () => void;
  loadDraft: (d: {
    report: string;
    reportPreset: ReportPreset | null;
    versions: ReportVersion[];
    chat: ChatMessage[];
    chatInput: string;
    indication?: string | null;
    signature?: ReportSignature | null;
    amending?: ReportSignature | null;
    modelReport?: string | null;
    reportEnd?: { reason: StopReason; added: number } | null;
  }) => void;
  draftNotice: DraftNotice | null;
  setDraftNotice: (notice: DraftNotice | null) => void;
  /** The study key whose draft the report on screen is (set once drafts.ts has switched to it). */
  draftFor: string | null;
  setDraftFor: (key: string | null) => void;
  /** Puts older versions (from a saved draft) before the ones kept now; the report is untouched. */
  addOlderVersions: (older: ReportVersion[]) => void;
  /** The reader's signature on the report on screen; null while it is a draft. */
  signature: ReportSignature | null;
  /** The signature of the report being amended (reopened after signing): the next one amends it. */
  amending: ReportSignature | null;
  /**
   * Signs the report as it is (not while text streams in, not an empty one). A report being amended
   * that says nothing new gets the signature it had back: it was not amended.
   */
  signReport: (reader: Reader, at?: number) => void;
  /** Stops amending: the signed report and its signature come back; anything written since stays under Earlier versions. */
  keepSignature: () => void;
  /**
   * Reopens a signed report for changes; signing again says it amends the first signature.
   * `addendum`: the report goes on after the signed text with an "Addendum:" line, the caret there.
   */
  amendReport: (opts?: { addendum?: boolean }) => void;
}

/** Why the open study was asked for: what the reader typed, else the file's header; undefined when neither says. */
export function studyIndication(s: Pick<AppState, 'indication' | 'study'>): string | undefined {
  return (s.indication ?? headerField(s.study?.image ?? null, 'indication') ?? '').trim() || undefined;
}

/**
 * Whether the model can go on writing the report on screen (Continue): there is one, the reader has
 * not signed it, nothing streams, and no follow-up has been asked (the report is the conversation's
 * last answer, the one the model continues).
 */
export function canContinueReport(s: Pick<AppState, 'report' | 'signature' | 'streaming' | 'chat'>): boolean {
  return !!s.report.trim() && !s.signature && !s.streaming && s.chat.length === 0;
}

/** Whether the chat's last answer was left unfinished (Stop, or its length limit), so that Continue can finish it. */
export function canContinueAnswer(s: Pick<AppState, 'streaming' | 'chat'>): boolean {
  const last = s.chat.at(-1);
  return !s.streaming && last?.role === 'assistant' && !!(last.interrupted || last.atLimit);
}

/** The reader's signature on the report on screen, if it signs this very text (what every export and the SR carry). */
export function openSignature(s: Pick<ReportSlice, 'report' | 'signature'>): ReportSignature | null {
  return s.signature && s.signature.text === s.report ? s.signature : null;
}

/** The report on screen as a version to keep, with the model's text for it when known. */
function keep(s: ReportSlice, fallback: ReportPreset, extra: Partial<ReportVersion> = {}): ReportVersion {
  return { text: s.report, preset: s.reportPreset ?? fallback, createdAt: Date.now(), ...(s.modelReport !== null ? { model: s.modelReport } : {}), ...extra };
}

/** Where insertReportLine puts a line: the caret, or the end when there is none or the text has changed since other than by streaming. */
export function insertionPoint(s: Pick<ReportSlice, 'report' | 'reportCaret'>): number {
  const c = s.reportCaret;
  // Streamed text only ever goes on at the end, so a caret in the text as it was still stands.
  return c && s.report.startsWith(c.report) ? Math.min(c.at, s.report.length) : s.report.length;
}

/** The model's own text with a line it wrote put in where `at` in the report (`report`, before the line went in) falls. */
function modelWithLine(model: string | null, report: string, at: number, line: string): string {
  // A report the reader typed has no model text yet: this line is all of it.
  const m = model ?? '';
  return lineInto(m, modelIndexAt(m, report, at), line).into;
}

/** `line` put into `text` at `at` as a line of its own: what goes in (with its line breaks), and the result. */
export function lineInto(text: string, at: number, line: string): { text: string; into: string } {
  const before = text.slice(0, at);
  const after = text.slice(at);
  const put = `${before && !before.endsWith('\n') ? '\n' : ''}${line}${after && !after.startsWith('\n') ? '\n' : ''}`;
  return { text: put, into: before + put + after };
}

/** The report as it was signed, with its signature: an amendment dropped, or one that changed nothing. */
function backToSigned(s: ReportSlice, signed: ReportSignature): Partial<ReportSlice> {
  // Its copy under Earlier versions, made when it was reopened, goes: it is the report again.
  const copy = s.versions.findLastIndex((v) => v.signedBy !== undefined && v.text === signed.text && v.createdAt === signed.at);
  const versions = s.versions.filter((_, i) => i !== copy);
  if (changedSince(signed.text, s.report)) versions.push(keep(s, 'report'));
  return { signature: signed, amending: null, report: signed.text, versions, reportCaret: null };
}

export const createReportSlice: StateCreator<AppState, [], [], ReportSlice> = (set) => ({
  report: '',
  reportPreset: null,
  streaming: null,
  versions: [],
  modelReport: null,
  chat: [],
  chatInput: '',
  setChatInput: (chatInput) => set({ chatInput }),
  indication: null,
  setIndication: (indication) => set({ indication }),
  startReport: (preset) =>
    set((s) => (s.signature ? {} : {
      versions: s.report.trim() ? [...s.versions, keep(s, preset)] : s.versions,
      report: '',
      modelReport: '',
      reportPreset: preset,
      streaming: 'report',
      reportCaret: null,
      reportEnd: null,
    })),
  resumeReport: () => set((s) => (s.signature || s.streaming ? {} : { streaming: 'report', reportEnd: null })),
  cutReport: (at) =>
    set((s) => {
      if (s.signature || s.streaming || at >= s.report.length) return {};
      const modelReport = s.modelReport === null ? null : s.modelReport.slice(0, modelIndexAt(s.modelReport, s.report, at));
      return { versions: [...s.versions, keep(s, 'report')], report: s.report.slice(0, at), modelReport, reportCaret: null, reportEnd: null };
    }),
  reportEnd: null,
  setReportEnd: (reportEnd) => set({ reportEnd }),
  appendReport: (delta) => set((s) => (s.signature ? {} : { report: s.report + delta, modelReport: (s.modelReport ?? '') + delta })),
  editReport: (report) => set((s) => (s.signature ? {} : { report })),
  reportCaret: null,
  setReportCaret: (reportCaret) => set({ reportCaret }),
  insertReportLine: (line, opts = {}) =>
    set((s) => {
      if (s.signature) return {};
      const at = insertionPoint(s);
      const { text, into: report } = lineInto(s.report, at, line);
      return { report, reportCaret: { report, at: at + text.length }, ...(opts.fromModel ? { modelReport: modelWithLine(s.modelReport, s.report, at, line) } : {}) };
    }),
  noteModelLine: (before, at, line) => set((s) => (s.signature ? {} : { modelReport: modelWithLine(s.modelReport, before, at, line) })),
  restoreVersion: (index) =>
    set((s) => {
      const v = s.versions[index];
      if (!v || s.signature) return {};
      const versions = s.versions.filter((_, i) => i !== index);
      if (s.report.trim()) versions.push(keep(s, v.preset));
      return { report: v.text, reportPreset: v.preset, versions, reportCaret: null, modelReport: v.model ?? null, reportEnd: null };
    }),
  takeReport: (text, amends) =>
    set((s) => {
      if (s.streaming || s.signature) return {};
      if (s.report === text) return amends ? { amending: amends } : {};
      const versions = s.report.trim() ? [...s.versions, keep(s, 'report')] : s.versions;
      return { report: text, reportPreset: 'report', versions, reportCaret: null, modelReport: null, reportEnd: null, ...(amends ? { amending: amends } : {}) };
    }),
  startChat: (question) =>
    set((s) => ({ chat: [...s.chat, { role: 'user', text: question }, { role: 'assistant', text: '', streaming: true }], streaming: 'chat' })),
  appendChat: (delta) =>
    set((s) => {
      const chat = s.chat.slice();
      const last = chat[chat.length - 1];
      if (last?.role === 'assistant') chat[chat.length - 1] = { ...last, text: last.text + delta };
      return { chat };
    }),
  finishStreaming: (opts = {}) =>
    set((s) => {
      const chat = s.chat.map((m, i) => (i === s.chat.length - 1 && m.streaming ? { ...m, streaming: false, interrupted: opts.interrupted, atLimit: opts.atLimit } : m));
      return { streaming: null, chat };
    }),
  resumeChat: () =>
    set((s) => {
      const last = s.chat.at(-1);
      if (s.streaming || last?.role !== 'assistant') return {};
      return { chat: [...s.chat.slice(0, -1), { role: 'assistant', text: last.text, streaming: true }], streaming: 'chat' };
    }),
  resetConversation: () => set({ chat: [] }),
  loadDraft: (d) => set({ signature: null, amending: null, modelReport: null, indication: null, reportEnd: null, ...d, streaming: null, reportCaret: null }),
  draftNotice: null,
  setDraftNotice: (draftNotice) => set({ draftNotice }),
  draftFor: null,
  setDraftFor: (draftFor) => set({ draftFor }),
  addOlderVersions: (older) => set((s) => ({ versions: [...older, ...s.versions] })),
  signature: null,
  amending: null,
  signReport: (reader, at = Date.now()) =>
    set((s) => {
      if (s.streaming === 'report' || s.signature || reportSignProblem(s.report)) return {};
      if (s.amending && !changedSince(s.amending.text, s.report)) return backToSigned(s, s.amending);
      const amends = s.amending ? { reader: s.amending.reader, at: s.amending.at, ...(isAddendum(s.amending.text, s.report) ? { addendum: true } : {}) } : undefined;
      return { signature: { reader, at, text: s.report, ...(amends ? { amends } : {}) }, amending: null };
    }),
  keepSignature: () => set((s) => (s.amending && !s.signature && s.streaming !== 'report' ? backToSigned(s, s.amending) : {})),
  amendReport: (opts = {}) =>
    set((s) => {
      const signed = s.signature;
      if (!signed) return {};
      const kept = keep(s, 'report', { text: signed.text, createdAt: signed.at, signedBy: readerName(signed.reader) });
      const reopened = { signature: null, amending: signed, versions: [...s.versions, kept] };
      if (!opts.addendum) return reopened;
      const report = `${signed.text.trimEnd()}\n\nAddendum: `;
      return { ...reopened, report, reportCaret: { report, at: report.length } };
    }),
});
