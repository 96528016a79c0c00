import dcmjs, { type NaturalDataset } from 'dcmjs';
import { APP_NAME, dicomDate, dicomTime, part10, patientAndStudyOf } from './dicom-object';
import { GRAYSCALE_SOFTCOPY_PS } from './lengths-presentation-state';
import { describeChanges, type ChangeSummary } from '../report/draft-changes';
import { describeAmends, dicomPersonName, type ReportSignature } from '../report/signature';
import type { ReportMeasurements } from '../report/structured-measurements';
import { hasStructured, measurementComments, measurementItems, PRIVATE_SCHEME } from './measurement-items';
import type { SrSource } from './source';

/**
 * The edited report as a DICOM Basic Text SR (PS3.3 A.35.1), filed in the image's own study as a
 * new series. What it says about itself, so that no PACS or reader takes it for a signed report:
 * Completion Flag PARTIAL, Verification Flag UNVERIFIED, Preliminary Flag PRELIMINARY, the model
 * as the observer (a device, PS3.16 TID 1004), and a comment that it is an AI draft. The text
 * INFERRED FROM the image it is about, which the evidence sequence lists too.
 *
 * Signed by the reader, it is their report: Completion COMPLETE, Verification VERIFIED with them as
 * the Verifying Observer, Preliminary FINAL, they the first observer (a person, TID 1003) beside
 * the model, and the SR sent before it in the study (the draft it grew from, or the signed report
 * it amends) its predecessor (C.17.2.2).
 *
 * With the lengths and the cardiothoracic ratio the reader drew, it is an Enhanced SR (PS3.3
 * A.35.2) instead, whose value types carry them as data beside the text: NUM items, each pointing
 * at the polyline it was drawn as on the image (measurement-items.ts).
 *
 * Written with dcmjs (naturalised dataset -> Part 10 file). Pure: no DOM, no network.
 */

export const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11';
export const ENHANCED_SR = '1.2.840.10008.5.1.4.1.1.88.22';
export { APP_NAME } from './dicom-object';

export interface SrDevice {
  /** Human name of the model, e.g. "CXR-LLaVA v2 (q4f16_1)". */
  name: string;
  /** The manifest's model id. */
  modelId: string;
  /** A test model with random weights: its text means nothing, and the SR says so. */
  randomWeights: boolean;
  /** The app's version (Software Versions). */
  softwareVersion: string;
}

export interface ReportSrInput {
  source: SrSource;
  /** The report as the user left it. */
  text: string;
  device: SrDevice;
  now: Date;
  /** The model's self-check on the workstation that wrote the draft (describeVerification's words). */
  selfCheck?: string;
  /** The image header says it is not a frontal chest radiograph (imaging/model-fit.ts). */
  fitWarning?: string;
  /** The reader's lengths and cardiothoracic ratio on the image. */
  measurements?: ReportMeasurements;
  /** The lengths' presentation state filed with it: the image is referenced as shown through it. */
  presentationState?: { seriesInstanceUID: string; sopInstanceUID: string };
  /** How much of the model's draft the text keeps (report/draft-changes.ts), when known. */
  aiDraft?: ChangeSummary;
  /** The reader's signature: the report is final and theirs. */
  signature?: Pick<ReportSignature, 'reader' | 'at' | 'amends'>;
  /** The reason for the study, as over the report (typed, else the file's): its own section, before the findings. */
  indication?: string;
  /** The SR this one replaces (the last one sent for this image): listed as its predecessor. */
  predecessor?: SrReference;
  /** Fixed UIDs (tests); new ones otherwise. */
  uids?: { series: string; instance: string };
}

/** An SR filed in the same study. */
export interface SrReference {
  seriesInstanceUID: string;
  sopInstanceUID: string;
  sopClassUID: string;
}

export interface ReportSr {
  bytes: Uint8Array;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  sopClassUID: string;
}

const code = (value: string, scheme: string, meaning: string) => [{ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning }];
const DCM = (value: string, meaning: string) => code(value, 'DCM', meaning);

export const AI_DRAFT_COMMENT = 'Preliminary draft written by an AI model; not verified by a radiologist. Not for clinical use without review.';
export const SIGNED_COMMENT = 'Drafted by an AI model (the observer device); reviewed and signed by the verifying observer.';
export const SELF_CHECK_COMMENT = 'Model self-check on the workstation that wrote this draft';
export const AI_DRAFT_CHANGES_COMMENT = "The reader's changes to the AI draft";
export const RANDOM_WEIGHTS_COMMENT = 'Written by a test model with random weights: the text is meaningless.';

export function buildReportSr(input: ReportSrInput): ReportSr {
  const text = input.text.trim();
  if (!text) throw new Error('The report is empty: write or generate one before sending it.');
  const { source, device, now } = input;
  const series = input.uids?.series ?? dcmjs.data.DicomMetaDictionary.uid();
  const instance = input.uids?.instance ?? dcmjs.data.DicomMetaDictionary.uid();
  const measured = hasStructured(input.measurements) ? input.measurements : null;
  const sopClass = measured ? ENHANCED_SR : BASIC_TEXT_SR;
  const date = dicomDate(now);
  const time = dicomTime(now);

  const image = { ReferencedSOPClassUID: source.SOPClassUID, ReferencedSOPInstanceUID: source.SOPInstanceUID };
  const ps = input.presentationState;
  const psRef = ps && { ReferencedSOPClassUID: GRAYSCALE_SOFTCOPY_PS, ReferencedSOPInstanceUID: ps.sopInstanceUID };
  // In the content, the image as the reader had it: through the presentation state sent with the SR (C.18.4).
  const imageRef = [psRef ? { ...image, ReferencedSOPSequence: [psRef] } : image];
  // What the text exports and the FHIR report say about the draft, the SR says too: a reader on
  // the PACS sees it beside the text.
  const sig = input.signature;
  const comments = [
    sig ? SIGNED_COMMENT : AI_DRAFT_COMMENT,
    // What the signature replaces, in words (the Predecessor Documents Sequence names the SR, when one was sent).
    ...(sig?.amends ? [capitalize(`${describeAmends(sig.amends)}.`)] : []),
    ...(device.randomWeights ? [RANDOM_WEIGHTS_COMMENT] : []),
    ...(input.aiDraft ? [`${AI_DRAFT_CHANGES_COMMENT}: ${describeChanges(input.aiDraft)}`] : []),
    ...(input.selfCheck ? [`${SELF_CHECK_COMMENT}: ${input.selfCheck}`] : []),
    ...(input.fitWarning ? [`Warning: ${input.fitWarning}`] : []),
    ...(input.measurements ? measurementComments(input.measurements) : []),
  ];

  const content = [
    // TID 1002/1003: the reader who signed is the first observer, a person.
    ...(sig
      ? [
          { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'CODE', ConceptNameCodeSequence: DCM('121005', 'Observer Type'), ConceptCodeSequence: DCM('121006', 'Person') },
          { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'PNAME', ConceptNameCodeSequence: DCM('121008', 'Person Observer Name'), PersonName: [{ Alphabetic: dicomPersonName(sig.reader) }] },
        ]
      : []),
    // TID 1002/1004: the model, a device.
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'CODE', ConceptNameCodeSequence: DCM('121005', 'Observer Type'), ConceptCodeSequence: DCM('121007', 'Device') },
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'UIDREF', ConceptNameCodeSequence: DCM('121012', 'Device Observer UID'), UID: deviceUid(device.modelId) },
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: DCM('121013', 'Device Observer Name'), TextValue: device.name },
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: DCM('121014', 'Device Observer Manufacturer'), TextValue: APP_NAME },
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: DCM('121015', 'Device Observer Model Name'), TextValue: device.modelId },
    // TID 2001: a section headed from CID 7001, its text an element of CID 7002 (the order's request).
    ...(input.indication?.trim()
      ? [
          {
            RelationshipType: 'CONTAINS',
            ValueType: 'CONTAINER',
            ConceptNameCodeSequence: DCM('121109', 'Indications for Procedure'),
            ContinuityOfContent: 'SEPARATE',
            ContentSequence: [{ RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: code('55115-0', 'LN', 'Request'), TextValue: crlf(input.indication.trim()) }],
          },
        ]
      : []),
    {
      RelationshipType: 'CONTAINS',
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: DCM('121070', 'Findings'),
      ContinuityOfContent: 'SEPARATE',
      ContentSequence: [
        {
          RelationshipType: 'CONTAINS',
          ValueType: 'TEXT',
          ConceptNameCodeSequence: DCM('121071', 'Finding'),
          TextValue: crlf(text),
          ContentSequence: [{ RelationshipType: 'INFERRED FROM', ValueType: 'IMAGE', ReferencedSOPSequence: imageRef }],
        },
        ...(measured ? measurementItems(measured, imageRef) : []),
      ],
    },
    ...comments.map((c) => ({ RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: DCM('121106', 'Comment'), TextValue: c })),
  ];

  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClass,
    // The private scheme the ratio is coded in (SOP Common C.12.1).
    ...(measured?.ratio ? { CodingSchemeIdentificationSequence: [PRIVATE_SCHEME] } : {}),
    SOPInstanceUID: instance,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    // Patient (C.7.1.1) and General Study (C.7.2.1): the image's own, so the SR files with it.
    ...patientAndStudyOf(source),
    // SR Document Series (C.17.1): a new series in that study.
    Modality: 'SR',
    SeriesInstanceUID: series,
    SeriesNumber: '9001',
    SeriesDescription: sig ? 'Report (signed; drafted with AI)' : 'AI draft report (preliminary, unverified)',
    ReferencedPerformedProcedureStepSequence: [],
    // General Equipment (C.7.5.1).
    Manufacturer: APP_NAME,
    SoftwareVersions: device.softwareVersion,
    // SR Document General (C.17.2).
    InstanceNumber: '1',
    CompletionFlag: sig ? 'COMPLETE' : 'PARTIAL',
    VerificationFlag: sig ? 'VERIFIED' : 'UNVERIFIED',
    ...(sig
      ? {
          VerifyingObserverSequence: [
            {
              VerifyingObserverName: [{ Alphabetic: dicomPersonName(sig.reader) }],
              VerifyingObserverIdentificationCodeSequence: [],
              VerifyingOrganization: sig.reader.organization.trim(),
              VerificationDateTime: dicomDate(new Date(sig.at)) + dicomTime(new Date(sig.at)),
            },
          ],
        }
      : {}),
    PreliminaryFlag: sig ? 'FINAL' : 'PRELIMINARY',
    ContentDate: date,
    ContentTime: time,
    ...(input.predecessor
      ? {
          PredecessorDocumentsSequence: [
            {
              StudyInstanceUID: source.StudyInstanceUID,
              ReferencedSeriesSequence: [
                {
                  SeriesInstanceUID: input.predecessor.seriesInstanceUID,
                  ReferencedSOPSequence: [{ ReferencedSOPClassUID: input.predecessor.sopClassUID, ReferencedSOPInstanceUID: input.predecessor.sopInstanceUID }],
                },
              ],
            },
          ],
        }
      : {}),
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: source.StudyInstanceUID,
        ReferencedSeriesSequence: [{ SeriesInstanceUID: source.SeriesInstanceUID, ReferencedSOPSequence: [image] }],
      },
    ],
    // Every object the content refers to is listed as evidence (C.17.2.3): the presentation state too.
    ...(ps
      ? { PertinentOtherEvidenceSequence: [{ StudyInstanceUID: source.StudyInstanceUID, ReferencedSeriesSequence: [{ SeriesInstanceUID: ps.seriesInstanceUID, ReferencedSOPSequence: [psRef] }] }] }
      : {}),
    // SR Document Content (C.17.3): the root container.
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: code('18748-4', 'LN', 'Diagnostic imaging report'),
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: content,
  };

  return { bytes: part10(dataset), seriesInstanceUID: series, sopInstanceUID: instance, sopClassUID: sopClass };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** DICOM text (UT) separates lines with CR LF. */
function crlf(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}

/**
 * A stable UID for the model as a device (the same model id gives the same UID in every SR):
 * 2.25 + 128 bits of FNV-1a over the id (PS3.5 B.2 allows a UUID-derived 2.25 root).
 */
export function deviceUid(modelId: string): string {
  let h = 0x6c62272e07bb014262b821756295c58dn;
  const prime = 0x0000000001000000000000000000013bn;
  const mask = (1n << 128n) - 1n;
  for (const byte of new TextEncoder().encode(`cxr-llava-web:${modelId}`)) h = ((h ^ BigInt(byte)) * prime) & mask;
  return `2.25.${h.toString(10)}`;
}
