/**
 * The FHIR R4 definitions fhir-check.ts checks against (hl7.org/fhir/R4): the elements of
 * DiagnosticReport, and of the Patient, Practitioner and Observation resources a report contains, and of the
 * datatypes they use, with their types, cardinality and required value sets.
 */

export type Primitive = 'boolean' | 'integer' | 'unsignedInt' | 'decimal' | 'string' | 'markdown' | 'code' | 'id' | 'uri' | 'base64Binary' | 'instant' | 'dateTime' | 'date' | 'xhtml';
export type Complex = 'Meta' | 'Narrative' | 'Extension' | 'Identifier' | 'Reference' | 'Coding' | 'CodeableConcept' | 'Period' | 'Attachment' | 'HumanName' | 'Media' | 'Quantity' | 'Annotation' | 'Any';
export type TypeName = Primitive | Complex;

export interface ElementDef {
  type: TypeName;
  required?: boolean;
  many?: boolean;
  /** A required binding: the value must be one of these codes. */
  valueSet?: readonly string[];
  /** For Reference: the resource types it may point at. */
  targets?: readonly string[];
}

export type TypeDef = Record<string, ElementDef>;

export const R4_REPORT_STATUS = ['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown'] as const;

export const PRIMITIVES = new Set<TypeName>(['boolean', 'integer', 'unsignedInt', 'decimal', 'string', 'markdown', 'code', 'id', 'uri', 'base64Binary', 'instant', 'dateTime', 'date', 'xhtml']);

const ext = (): ElementDef => ({ type: 'Extension', many: true });
const ref = (...targets: string[]): ElementDef => ({ type: 'Reference', targets });

/**
 * What every resource has (Resource and DomainResource), with its type's name. A contained
 * resource may not contain others (dom-2), which fhir-check.ts says apart.
 */
const DOMAIN_RESOURCE: TypeDef = {
  resourceType: { type: 'string', required: true },
  id: { type: 'id' },
  meta: { type: 'Meta' },
  implicitRules: { type: 'uri' },
  language: { type: 'code' },
  text: { type: 'Narrative' },
  contained: { type: 'Any', many: true },
  extension: ext(),
  modifierExtension: ext(),
};

/** Every element of R4 DiagnosticReport, with the DomainResource elements it inherits. */
export const DIAGNOSTIC_REPORT: TypeDef = {
  ...DOMAIN_RESOURCE,
  identifier: { type: 'Identifier', many: true },
  basedOn: { ...ref('CarePlan', 'ImmunizationRecommendation', 'MedicationRequest', 'NutritionOrder', 'ServiceRequest'), many: true },
  status: { type: 'code', required: true, valueSet: R4_REPORT_STATUS },
  category: { type: 'CodeableConcept', many: true },
  code: { type: 'CodeableConcept', required: true },
  subject: ref('Patient', 'Group', 'Device', 'Location'),
  encounter: ref('Encounter'),
  effectiveDateTime: { type: 'dateTime' },
  effectivePeriod: { type: 'Period' },
  issued: { type: 'instant' },
  performer: { ...ref('Practitioner', 'PractitionerRole', 'Organization', 'CareTeam'), many: true },
  resultsInterpreter: { ...ref('Practitioner', 'PractitionerRole', 'Organization', 'CareTeam'), many: true },
  specimen: { ...ref('Specimen'), many: true },
  result: { ...ref('Observation'), many: true },
  imagingStudy: { ...ref('ImagingStudy'), many: true },
  media: { type: 'Media', many: true },
  conclusion: { type: 'string' },
  conclusionCode: { type: 'CodeableConcept', many: true },
  presentedForm: { type: 'Attachment', many: true },
};

/** DiagnosticReport elements that R5 added; named so the message can say why they fail. */
export const R5_ONLY = new Set(['note', 'supportingInfo', 'study', 'composition']);

/** Patient (R4), for a contained anonymous or identified patient. Unmodelled elements: 'Any'. */
export const PATIENT: TypeDef = {
  ...DOMAIN_RESOURCE,
  identifier: { type: 'Identifier', many: true },
  active: { type: 'boolean' },
  name: { type: 'HumanName', many: true },
  telecom: { type: 'Any', many: true },
  gender: { type: 'code', valueSet: ['male', 'female', 'other', 'unknown'] },
  birthDate: { type: 'date' },
  deceasedBoolean: { type: 'boolean' },
  deceasedDateTime: { type: 'dateTime' },
  address: { type: 'Any', many: true },
  maritalStatus: { type: 'CodeableConcept' },
  multipleBirthBoolean: { type: 'boolean' },
  multipleBirthInteger: { type: 'integer' },
  photo: { type: 'Attachment', many: true },
  contact: { type: 'Any', many: true },
  communication: { type: 'Any', many: true },
  generalPractitioner: { ...ref('Organization', 'Practitioner', 'PractitionerRole'), many: true },
  managingOrganization: ref('Organization'),
  link: { type: 'Any', many: true },
};

/** Practitioner (R4), for the contained reader who signed the report. Unmodelled elements: 'Any'. */
export const PRACTITIONER: TypeDef = {
  ...DOMAIN_RESOURCE,
  identifier: { type: 'Identifier', many: true },
  active: { type: 'boolean' },
  name: { type: 'HumanName', many: true },
  telecom: { type: 'Any', many: true },
  address: { type: 'Any', many: true },
  gender: { type: 'code', valueSet: ['male', 'female', 'other', 'unknown'] },
  birthDate: { type: 'date' },
  photo: { type: 'Attachment', many: true },
  qualification: { type: 'Any', many: true },
  communication: { type: 'CodeableConcept', many: true },
};

/** Elements every datatype has (Element): id and extension. */
export const ELEMENT: TypeDef = { id: { type: 'string' }, extension: ext() };

export const DATATYPES: Record<Exclude<Complex, 'Extension' | 'Any'>, TypeDef> = {
  Meta: {
    versionId: { type: 'id' },
    lastUpdated: { type: 'instant' },
    source: { type: 'uri' },
    profile: { type: 'uri', many: true },
    security: { type: 'Coding', many: true },
    tag: { type: 'Coding', many: true },
  },
  Narrative: {
    status: { type: 'code', required: true, valueSet: ['generated', 'extensions', 'additional', 'empty'] },
    div: { type: 'xhtml', required: true },
  },
  Identifier: {
    use: { type: 'code', valueSet: ['usual', 'official', 'temp', 'secondary', 'old'] },
    type: { type: 'CodeableConcept' },
    system: { type: 'uri' },
    value: { type: 'string' },
    period: { type: 'Period' },
    assigner: ref('Organization'),
  },
  Reference: { reference: { type: 'string' }, type: { type: 'uri' }, identifier: { type: 'Identifier' }, display: { type: 'string' } },
  Coding: { system: { type: 'uri' }, version: { type: 'string' }, code: { type: 'code' }, display: { type: 'string' }, userSelected: { type: 'boolean' } },
  CodeableConcept: { coding: { type: 'Coding', many: true }, text: { type: 'string' } },
  Period: { start: { type: 'dateTime' }, end: { type: 'dateTime' } },
  Attachment: {
    contentType: { type: 'code' },
    language: { type: 'code' },
    data: { type: 'base64Binary' },
    url: { type: 'uri' },
    size: { type: 'unsignedInt' },
    hash: { type: 'base64Binary' },
    title: { type: 'string' },
    creation: { type: 'dateTime' },
  },
  HumanName: {
    use: { type: 'code', valueSet: ['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden'] },
    text: { type: 'string' },
    family: { type: 'string' },
    given: { type: 'string', many: true },
    prefix: { type: 'string', many: true },
    suffix: { type: 'string', many: true },
    period: { type: 'Period' },
  },
  Media: { modifierExtension: ext(), comment: { type: 'string' }, link: { ...ref('Media'), required: true } },
  Quantity: {
    value: { type: 'decimal' },
    comparator: { type: 'code', valueSet: ['<', '<=', '>=', '>'] },
    unit: { type: 'string' },
    system: { type: 'uri' },
    code: { type: 'code' },
  },
  Annotation: {
    authorReference: ref('Practitioner', 'Patient', 'RelatedPerson', 'Organization'),
    authorString: { type: 'string' },
    time: { type: 'dateTime' },
    text: { type: 'markdown', required: true },
  },
};

/** Extension.value[x]: the R4 types an extension may carry, by JSON suffix. */
export const EXTENSION_VALUES: Record<string, TypeName> = {
  valueString: 'string',
  valueBoolean: 'boolean',
  valueCode: 'code',
  valueUri: 'uri',
  valueUrl: 'uri',
  valueCanonical: 'uri',
  valueId: 'id',
  valueInteger: 'integer',
  valueUnsignedInt: 'unsignedInt',
  valueDateTime: 'dateTime',
  valueInstant: 'instant',
  valueDate: 'date',
  valueBase64Binary: 'base64Binary',
  valueCoding: 'Coding',
  valueCodeableConcept: 'CodeableConcept',
  valueReference: 'Reference',
  valueIdentifier: 'Identifier',
  valuePeriod: 'Period',
  valueAttachment: 'Attachment',
};

export const R4_OBSERVATION_STATUS = ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown'] as const;

/** Observation.value[x]: the R4 types, by JSON name. Unmodelled ones: 'Any'. */
export const OBSERVATION_VALUES: Record<string, TypeName> = {
  valueQuantity: 'Quantity',
  valueCodeableConcept: 'CodeableConcept',
  valueString: 'string',
  valueBoolean: 'boolean',
  valueInteger: 'integer',
  valueRange: 'Any',
  valueRatio: 'Any',
  valueSampledData: 'Any',
  valueTime: 'Any',
  valueDateTime: 'dateTime',
  valuePeriod: 'Period',
};

/** Every element of R4 Observation, for the measurements a report contains. Unmodelled elements: 'Any'. */
export const OBSERVATION: TypeDef = {
  ...DOMAIN_RESOURCE,
  identifier: { type: 'Identifier', many: true },
  basedOn: { type: 'Any', many: true },
  partOf: { type: 'Any', many: true },
  status: { type: 'code', required: true, valueSet: R4_OBSERVATION_STATUS },
  category: { type: 'CodeableConcept', many: true },
  code: { type: 'CodeableConcept', required: true },
  subject: ref('Patient', 'Group', 'Device', 'Location'),
  focus: { type: 'Reference', many: true },
  encounter: ref('Encounter'),
  effectiveDateTime: { type: 'dateTime' },
  effectivePeriod: { type: 'Period' },
  effectiveTiming: { type: 'Any' },
  effectiveInstant: { type: 'instant' },
  issued: { type: 'instant' },
  performer: { ...ref('Practitioner', 'PractitionerRole', 'Organization', 'CareTeam', 'Patient', 'RelatedPerson'), many: true },
  ...Object.fromEntries(Object.entries(OBSERVATION_VALUES).map(([k, type]) => [k, { type }])),
  dataAbsentReason: { type: 'CodeableConcept' },
  interpretation: { type: 'CodeableConcept', many: true },
  note: { type: 'Annotation', many: true },
  bodySite: { type: 'CodeableConcept' },
  method: { type: 'CodeableConcept' },
  specimen: ref('Specimen'),
  device: ref('Device', 'DeviceMetric'),
  referenceRange: { type: 'Any', many: true },
  hasMember: { ...ref('Observation', 'QuestionnaireResponse', 'MolecularSequence'), many: true },
  derivedFrom: { ...ref('DocumentReference', 'ImagingStudy', 'Media', 'QuestionnaireResponse', 'Observation', 'MolecularSequence'), many: true },
  component: { type: 'Any', many: true },
};
