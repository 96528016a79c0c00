import { labelReport, type Observation } from '../eval/chexpert-labeler';

/**
 * Whether the report answers the question the study was ordered with: a reason for the study that
 * asks about lines and tubes, a pneumothorax, an effusion, pneumonia, heart failure, a fracture, a
 * nodule or mass, tuberculosis or atelectasis,
 * and a report that says nothing of it (none of the CheXpert observations that answer it labelled,
 * present or absent). Reporting guidance asks that a report address the clinical question; a
 * draft written without the order in view (the model never sees it) can miss it.
 */
interface Question {
  cue: RegExp;
  /** Any of these mentioned, present or absent, answers it. */
  answeredBy: readonly Observation[];
  /** Whether a report that calls the lungs clear or the chest normal answers it. */
  normalAnswers: boolean;
  /** "the lines and tubes". */
  what: string;
  /** What to ask the model about it (a follow-up question on the image). */
  ask: string;
}

const QUESTIONS: readonly Question[] = [
  {
    cue: /\b(?:lines?|tubes?|catheters?|picc|cvc|cvl|ett|ngt?|drains?|pacemaker|port|placement|insertion|tip position)\b/i,
    answeredBy: ['Support Devices'],
    normalAnswers: false,
    what: 'the lines and tubes',
    ask: 'Are there any lines or tubes, and where are their tips?',
  },
  { cue: /\bpneumothora/i, answeredBy: ['Pneumothorax'], normalAnswers: true, what: 'a pneumothorax', ask: 'Is there a pneumothorax?' },
  { cue: /\beffusions?\b/i, answeredBy: ['Pleural Effusion'], normalAnswers: true, what: 'a pleural effusion', ask: 'Is there a pleural effusion?' },
  {
    cue: /\b(?:pneumonia|fever|febrile|cough|infection|sepsis|consolidation)\b/i,
    answeredBy: ['Pneumonia', 'Consolidation', 'Lung Opacity'],
    normalAnswers: true,
    what: 'pneumonia',
    ask: 'Is there consolidation or pneumonia?',
  },
  {
    cue: /\b(?:heart failure|chf|o?edema|fluid overload|dyspn\w*|shortness of breath|sob)\b/i,
    answeredBy: ['Edema', 'Cardiomegaly', 'Pleural Effusion'],
    normalAnswers: true,
    what: 'heart failure',
    ask: 'Are there signs of heart failure, such as cardiomegaly, pulmonary edema or pleural effusions?',
  },
  { cue: /\b(?:fractures?|trauma|fall|rib pain)\b/i, answeredBy: ['Fracture'], normalAnswers: false, what: 'a fracture', ask: 'Is there a rib or other fracture?' },
  {
    cue: /\b(?:nodules?|mass(?:es)?|lesions?|cancer|carcinoma|malignan\w*|metasta\w*|tumou?rs?|neoplasm\w*|haemoptysis|hemoptysis)\b/i,
    answeredBy: ['Lung Lesion'],
    normalAnswers: true,
    what: 'a nodule or mass',
    ask: 'Is there a lung nodule or mass?',
  },
  {
    cue: /\b(?:tuberculosis|tb|ppd|quantiferon|igra)\b/i,
    answeredBy: ['Lung Opacity', 'Consolidation', 'Pneumonia', 'Lung Lesion'],
    normalAnswers: true,
    what: 'tuberculosis',
    ask: 'Are there findings of tuberculosis?',
  },
  { cue: /\b(?:atelectasis|lobar collapse)\b/i, answeredBy: ['Atelectasis'], normalAnswers: true, what: 'atelectasis', ask: 'Is there atelectasis?' },
];

/** A report that calls the chest normal as a whole: it answers the questions of disease. */
const NORMAL = /\b(?:lungs? (?:are |is )?clear|no acute (?:cardiopulmonary|intrathoracic|chest|pulmonary)?\s*(?:disease|process|abnormality|findings?)|normal (?:chest|study|radiograph|examination)|unremarkable (?:chest|study|radiograph))\b/i;

/** "The reason for the study asks about pneumonia; the report does not mention it.", or null when nothing is left. */
export function describeUnanswered(left: readonly string[]): string | null {
  if (!left.length) return null;
  const what = left.length === 1 ? left[0]! : `${left.slice(0, -1).join(', ')} or ${left.at(-1)}`;
  // "the lines and tubes" are several; "a pneumothorax", "pneumonia" one.
  const them = left.length > 1 || what.startsWith('the ');
  return `The reason for the study asks about ${what}; the report does not mention ${them ? 'them' : 'it'}.`;
}

/** Every kind of question checked: "the lines and tubes, a pneumothorax, …, tuberculosis or atelectasis". */
export const QUESTION_KINDS = `${QUESTIONS.slice(0, -1).map((q) => q.what).join(', ')} or ${QUESTIONS.at(-1)!.what}`;

/** The follow-up question that puts a question of the study's reason to the model ("Is there a pneumothorax?"). */
export function followUpFor(what: string): string | undefined {
  return QUESTIONS.find((q) => q.what === what)?.ask;
}

/** What the reason for the study asks about, of the kinds checked ("pneumonia"); empty when none. */
export function questionsAsked(indication: string): string[] {
  return QUESTIONS.filter((q) => q.cue.test(indication)).map((q) => q.what);
}

/** What the reason for the study asks that the report leaves unanswered ("the lines and tubes"); empty when it answers all, or there is no report. */
export function unansweredQuestions(indication: string, report: string): string[] {
  if (!indication.trim() || !report.trim()) return [];
  const asked = QUESTIONS.filter((q) => q.cue.test(indication));
  if (!asked.length) return [];
  const labels = labelReport(report);
  const normal = NORMAL.test(report);
  return asked.filter((q) => !q.answeredBy.some((o) => labels[o] !== null) && !(q.normalAnswers && normal)).map((q) => q.what);
}

/** The headings a report's other sections start with: the indication ends at the next one. */
const NEXT_SECTION = /\b(?:examination|exam|technique|comparisons?|findings|impression|conclusions?|recommendations?|notification|wet read|final report)\s*:/i;
const INDICATION_HEADING = /\b(?:indications?|clinical (?:history|indication|information|details)|history|reason for (?:the )?(?:exam(?:ination)?|study|request))\s*:/i;

/**
 * The indication a full report text states in its own section ("INDICATION: 65-year-old with cough
 * and fever. TECHNIQUE: …", as MIMIC-CXR's reports do), up to the next section; undefined without one.
 */
export function indicationInReport(text: string): string | undefined {
  const head = INDICATION_HEADING.exec(text);
  if (!head) return undefined;
  const rest = text.slice(head.index + head[0].length);
  const end = NEXT_SECTION.exec(rest);
  return (end ? rest.slice(0, end.index) : rest).replace(/\s+/g, ' ').trim() || undefined;
}
