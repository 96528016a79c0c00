import { describeModel, describeStudy, DISCLAIMER, PRESET_TITLES, type PatientIdentifiers, type ReportDocument } from './context';
import { describeChanges } from './draft-changes';
import { measurementObservations, type Observation } from './fhir-observations';
import { describeSignature, readerName, type ReportSignature } from './signature';
import { measurementLines, measurementsHeading, pixelLengthsNote, type ReportMeasurements } from './structured-measurements';

/**
 * The report as a FHIR R4 DiagnosticReport (JSON), status "preliminary": a draft no one has
 * signed. Once the reader signs it, "final" ("amended" when it replaces a report signed before,
 * "appended" when it only adds to it), the reader a contained Practitioner named as `resultsInterpreter`, `issued` the time of
 * signing. Checked against the R4 definition by fhir-check.ts.
 *
 * Code: LOINC 18748-4 "Diagnostic imaging study". The model reads one image and knows neither the
 * number of views nor how the study was ordered, so a code that names views (36643-5 "XR Chest 2
 * Views") could say something false; 18748-4 claims only that this reports on an imaging study,
 * and `code.text` says what kind. Category RAD (HL7 v2 table 0074) files it under radiology.
 *
 * Who wrote it: R4's DiagnosticReport has no `note` (R5 added one) and its `performer` may not be
 * a Device, so the model is named in an extension (AI_DRAFT_EXTENSION) and in the narrative.
 *
 * No patient identifiers unless asked: by default there is no `subject`. Asked, the identifiers
 * go into a contained Patient that `subject` points at; nothing else names the patient.
 *
 * The lengths and the cardiothoracic ratio the reader drew go in as contained Observations, listed
 * in `result` (fhir-observations.ts).
 */

/** The project's own extension (no registered canonical URL yet; `.invalid` never resolves). */
export const AI_DRAFT_EXTENSION = 'https://cxr-llava-web.invalid/fhir/StructureDefinition/ai-generated-draft';

/** R4's core extension for why an event (the report) happened: the reason for the study, as text. */
export const REASON_CODE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/workflow-reasonCode';

export const LOINC_DIAGNOSTIC_IMAGING_STUDY = { system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' } as const;
export const CATEGORY_RADIOLOGY = { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' } as const;

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Extension {
  url: string;
  valueString?: string;
  valueBoolean?: boolean;
  valueUnsignedInt?: number;
  valueCodeableConcept?: CodeableConcept;
  extension?: Extension[];
}
export interface Attachment {
  contentType?: string;
  language?: string;
  data?: string;
  title?: string;
  creation?: string;
}
export interface ContainedPatient {
  resourceType: 'Patient';
  id: string;
  identifier?: { value: string }[];
  name?: { text: string }[];
  gender?: 'male' | 'female' | 'other' | 'unknown';
  birthDate?: string;
}
export interface ContainedPractitioner {
  resourceType: 'Practitioner';
  id: string;
  name: { text: string; family: string; given?: string[]; prefix?: string[] }[];
}
export interface DiagnosticReport {
  resourceType: 'DiagnosticReport';
  language?: string;
  text?: { status: 'generated'; div: string };
  contained?: (ContainedPatient | ContainedPractitioner | Observation)[];
  extension?: Extension[];
  status: 'preliminary' | 'final' | 'amended' | 'appended';
  category: CodeableConcept[];
  code: CodeableConcept;
  subject?: { reference: string };
  effectiveDateTime?: string;
  issued: string;
  resultsInterpreter?: { reference: string }[];
  result?: { reference: string }[];
  conclusion: string;
  presentedForm: Attachment[];
}

export interface FhirOptions {
  /** Only when the user asked for an identified export; absent means none are written. */
  patient?: PatientIdentifiers;
}

export class EmptyReportError extends Error {
  override name = 'EmptyReportError';
  constructor() {
    super('Nothing to export: the report is empty. Generate or type a report first.');
  }
}

export function buildDiagnosticReport(doc: ReportDocument, opts: FhirOptions = {}): DiagnosticReport {
  const text = doc.text.trim();
  if (!text) throw new EmptyReportError();
  const kind = doc.preset ? PRESET_TITLES[doc.preset] : PRESET_TITLES.report;
  const sig = doc.signature;
  const title = `Chest radiograph — ${kind} (${sig ? 'signed; drafted with AI' : 'AI-generated draft'})`;
  const issued = new Date(sig?.at ?? doc.now.getTime()).toISOString();
  const patient = opts.patient ? containedPatient(opts.patient) : null;
  const reader = sig ? containedReader(sig) : null;
  const observations = doc.measurements ? measurementObservations(doc.measurements, patient ? `#${patient.id}` : undefined) : [];
  const contained = [...(patient ? [patient] : []), ...(reader ? [reader] : []), ...observations];

  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    language: 'en',
    text: { status: 'generated', div: narrative(doc, title, text) },
    ...(contained.length ? { contained } : {}),
    extension: [
      {
        url: AI_DRAFT_EXTENSION,
        extension: [
          { url: 'modelName', valueString: doc.model?.name ?? 'unknown model' },
          { url: 'modelId', valueString: doc.model?.id ?? 'unknown' },
          { url: 'randomWeights', valueBoolean: doc.model?.randomWeights ?? false },
          { url: 'modelSelfCheck', valueString: doc.model?.verification?.status ?? 'unverified' },
          // The file says the image is not what the model reads (imaging/model-fit.ts).
          ...(doc.study?.fitWarning ? [{ url: 'imageFitWarning', valueString: doc.study.fitWarning }] : []),
          { url: 'reviewed', valueBoolean: !!sig },
          // How much of the model's draft the report keeps, in words (report/draft-changes.ts).
          ...(doc.aiDraft
            ? [
                { url: 'draftWords', valueUnsignedInt: doc.aiDraft.modelWords },
                { url: 'keptWords', valueUnsignedInt: doc.aiDraft.keptWords },
                { url: 'removedWords', valueUnsignedInt: doc.aiDraft.removedWords },
                { url: 'addedWords', valueUnsignedInt: doc.aiDraft.addedWords },
              ]
            : []),
          { url: 'notice', valueString: sig ? 'AI-generated draft, reviewed and signed by the results interpreter' : 'AI-generated draft, not reviewed' },
        ],
      },
      // DiagnosticReport has no reason element in R4: the Event pattern's extension carries it.
      ...(doc.indication ? [{ url: REASON_CODE_EXTENSION, valueCodeableConcept: { text: doc.indication } }] : []),
    ],
    // R4: "appended" when content was only added to a final report, "amended" when it was changed.
    status: sig ? (sig.amends ? (sig.amends.addendum ? 'appended' : 'amended') : 'final') : 'preliminary',
    category: [{ coding: [{ ...CATEGORY_RADIOLOGY }], text: 'Radiology' }],
    code: { coding: [{ ...LOINC_DIAGNOSTIC_IMAGING_STUDY }], text: `Chest radiograph report (${sig ? 'signed; drafted with AI' : 'AI-generated draft'})` },
    ...(patient ? { subject: { reference: `#${patient.id}` } } : {}),
    ...(doc.study?.studyDate ? { effectiveDateTime: doc.study.studyDate } : {}),
    issued,
    ...(reader ? { resultsInterpreter: [{ reference: `#${reader.id}` }] } : {}),
    ...(observations.length ? { result: observations.map((o) => ({ reference: `#${o.id}` })) } : {}),
    conclusion: text,
    presentedForm: [{ contentType: 'text/plain; charset=utf-8', language: 'en', data: utf8ToBase64(text), title, creation: issued }],
  };
  return report;
}

/** The reader who signed, as the report's results interpreter. */
function containedReader(sig: ReportSignature): ContainedPractitioner {
  const r = sig.reader;
  const clean = (v: string) => (v.trim() ? [v.trim()] : undefined);
  const given = clean(r.given);
  const prefix = clean(r.prefix);
  return { resourceType: 'Practitioner', id: 'reader', name: [{ text: readerName(r), family: r.family.trim(), ...(given ? { given } : {}), ...(prefix ? { prefix } : {}) }] };
}

function containedPatient(p: PatientIdentifiers): ContainedPatient {
  return {
    resourceType: 'Patient',
    id: 'patient',
    ...(p.id ? { identifier: [{ value: p.id }] } : {}),
    ...(p.name ? { name: [{ text: p.name }] } : {}),
    ...(p.sex ? { gender: p.sex } : {}),
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
  };
}

function narrative(doc: ReportDocument, title: string, text: string): string {
  const lines = [
    `<p><b>${escapeXml(title)}</b></p>`,
    doc.signature
      ? `<p><b>${escapeXml(describeSignature(doc.signature))}.</b> Drafted with ${escapeXml(describeModel(doc.model))}; reviewed and signed by the reader.</p>`
      : `<p>${escapeXml(DISCLAIMER)}. Written by ${escapeXml(describeModel(doc.model))}; not reviewed.</p>`,
    ...(doc.aiDraft ? [`<p>AI draft: ${escapeXml(describeChanges(doc.aiDraft))}</p>`] : []),
    ...(doc.study ? [`<p>Study: ${escapeXml(describeStudy(doc.study))}</p>`] : []),
    ...(doc.indication ? [`<p>Reason for the study: ${escapeXml(doc.indication)}</p>`] : []),
    ...(doc.study?.fitWarning ? [`<p><b>Warning:</b> ${escapeXml(doc.study.fitWarning)}</p>`] : []),
    `<pre>${escapeXml(text)}</pre>`,
    ...(doc.measurements ? [measurementsNarrative(doc.measurements)] : []),
  ];
  return `<div xmlns="http://www.w3.org/1999/xhtml">${lines.join('')}</div>`;
}

/** The measurements in words, for the narrative: what the Observations hold, and whose they are. */
function measurementsNarrative(m: ReportMeasurements): string {
  const items = measurementLines(m);
  const note = pixelLengthsNote(m);
  return [
    ...(items.length ? [`<p>${escapeXml(measurementsHeading(m))}: ${items.map(escapeXml).join('; ')}.</p>`] : []),
    ...(note ? [`<p>${escapeXml(note)}</p>`] : []),
  ].join('');
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Base64 of the UTF-8 bytes (btoa alone takes Latin-1 only). */
export function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function base64ToUtf8(b64: string): string {
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function fhirJson(report: DiagnosticReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
