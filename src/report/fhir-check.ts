/**
 * Checks a DiagnosticReport (JSON) against the FHIR R4 definition
 * (hl7.org/fhir/R4/diagnosticreport.html and the datatypes it uses): which elements exist, their
 * types and cardinality, the required status value set, primitive formats (dateTime, instant,
 * base64Binary, code, id, uri), the JSON rules (no null, no empty string, array or object) and the
 * invariants that apply here (ext-1, att-1, txt-1/2, dom-3).
 *
 * Small and exact rather than complete: contained resources other than Patient, Practitioner and Observation are
 * checked for resourceType and id only, and terminology bindings other than the required ones are
 * not checked. The definitions are in fhir-r4-definitions.ts.
 */

import {
  DATATYPES,
  DIAGNOSTIC_REPORT,
  ELEMENT,
  EXTENSION_VALUES,
  OBSERVATION,
  OBSERVATION_VALUES,
  PATIENT,
  PRACTITIONER,
  PRIMITIVES,
  R5_ONLY,
  type ElementDef,
  type TypeDef,
} from './fhir-r4-definitions';

export interface FhirIssue {
  /** FHIRPath-like location, e.g. "DiagnosticReport.presentedForm[0].data". */
  path: string;
  message: string;
}

export interface FhirCheckResult {
  valid: boolean;
  issues: FhirIssue[];
}

export { R4_REPORT_STATUS } from './fhir-r4-definitions';

// Regular expressions from the R4 datatypes page.
const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const TIME = 'T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const DATE_RE = new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$`);
const DATETIME_RE = new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(${TIME})?)?)?$`);
const INSTANT_RE = new RegExp(`^${YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])${TIME}$`);
const CODE_RE = /^[^\s]+( [^\s]+)*$/;
const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const URI_RE = /^\S+$/;
const ABSOLUTE_URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const MIME_RE = /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"]*"|[\w.+-]+))*$/;

class Checker {
  readonly issues: FhirIssue[] = [];
  /** Every Reference.reference seen, for dom-3 and local references. */
  readonly references: { path: string; reference: string; targets?: readonly string[] }[] = [];

  fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  element(value: unknown, def: ElementDef, path: string): void {
    if (def.many) {
      if (!Array.isArray(value)) return this.fail(path, `must be an array (0..* in R4), got ${kind(value)}.`);
      if (value.length === 0) return this.fail(path, 'must not be an empty array; leave the element out instead.');
      value.forEach((v, i) => this.single(v, def, `${path}[${i}]`));
    } else {
      if (Array.isArray(value)) return this.fail(path, `must be a single value (0..1 in R4), not an array.`);
      this.single(value, def, path);
    }
  }

  private single(value: unknown, def: ElementDef, path: string): void {
    if (value === null || value === undefined) return this.fail(path, 'must not be null; leave the element out instead.');
    if (PRIMITIVES.has(def.type)) return this.primitive(value, def, path);
    if (def.type === 'Any') {
      if (!isObject(value)) this.fail(path, `must be an object, got ${kind(value)}.`);
      return;
    }
    if (def.type === 'Extension') return this.extension(value, path, false);
    const typeDef = { ...ELEMENT, ...DATATYPES[def.type as keyof typeof DATATYPES] };
    if (!this.object(value, typeDef, path, def.type)) return;
    if (def.type === 'Reference') this.reference(value, def, path);
    if (def.type === 'Attachment' && value.data !== undefined && value.contentType === undefined) {
      this.fail(path, 'att-1: an attachment with data must say its contentType.');
    }
    if (def.type === 'Attachment' && typeof value.contentType === 'string' && !MIME_RE.test(value.contentType)) {
      this.fail(`${path}.contentType`, `"${value.contentType}" is not a MIME type (e.g. "text/plain; charset=utf-8").`);
    }
    if (def.type === 'Coding' && typeof value.system === 'string' && !ABSOLUTE_URI_RE.test(value.system)) {
      this.fail(`${path}.system`, `"${value.system}" is not an absolute URI (e.g. "http://loinc.org").`);
    }
    if (def.type === 'Quantity' && value.code !== undefined && value.system === undefined) {
      this.fail(path, 'qty-3: a coded unit (code) must say its system, e.g. "http://unitsofmeasure.org".');
    }
    if (def.type === 'Period' && typeof value.start === 'string' && typeof value.end === 'string' && value.start > value.end) {
      this.fail(path, 'per-1: start must not be after end.');
    }
  }

  /** Checks keys against a type definition; returns false when it is not an object at all. */
  object(value: unknown, typeDef: TypeDef, path: string, typeName: string): value is Record<string, unknown> {
    if (!isObject(value)) {
      this.fail(path, `must be a ${typeName} object, got ${kind(value)}.`);
      return false;
    }
    if (Object.keys(value).length === 0) this.fail(path, `is an empty ${typeName}; leave the element out instead.`);
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue; // not in JSON
      const def = typeDef[key];
      if (def) {
        this.element(v, def, `${path}.${key}`);
        continue;
      }
      // "_status" carries the id and extensions of the primitive "status".
      const primitive = key.startsWith('_') ? typeDef[key.slice(1)] : undefined;
      if (primitive && PRIMITIVES.has(primitive.type)) {
        if (!isObject(v) && !Array.isArray(v)) this.fail(`${path}.${key}`, `must be an object with id/extension for the primitive ${key.slice(1)}.`);
        continue;
      }
      this.fail(`${path}.${key}`, unknownElement(key, typeName));
    }
    for (const [key, def] of Object.entries(typeDef)) {
      if (def.required && value[key] === undefined && value[`_${key}`] === undefined) this.fail(`${path}.${key}`, `is required (1..1) in ${typeName}.`);
    }
    return true;
  }

  private primitive(value: unknown, def: ElementDef, path: string): void {
    const t = def.type;
    if (t === 'boolean') {
      if (typeof value !== 'boolean') this.fail(path, `must be a JSON boolean, got ${kind(value)}.`);
      return;
    }
    if (t === 'decimal') {
      if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, `must be a JSON number (decimal), got ${kind(value)}.`);
      return;
    }
    if (t === 'integer' || t === 'unsignedInt') {
      if (typeof value !== 'number' || !Number.isInteger(value)) return this.fail(path, `must be a JSON integer, got ${kind(value)}.`);
      if (t === 'unsignedInt' && value < 0) this.fail(path, 'must not be negative (unsignedInt).');
      return;
    }
    if (typeof value !== 'string') return this.fail(path, `must be a JSON string (${t}), got ${kind(value)}.`);
    if (value.trim() === '') return this.fail(path, 'must not be empty or blank; leave the element out instead.');
    const bad = (what: string) => this.fail(path, `"${clip(value)}" is not a valid ${t}: ${what}.`);
    switch (t) {
      case 'code':
        if (!CODE_RE.test(value)) bad('no leading, trailing or double spaces, and no tabs or new lines');
        break;
      case 'id':
        if (!ID_RE.test(value)) bad('1 to 64 of A-Z, a-z, 0-9, "-" and "."');
        break;
      case 'uri':
        if (!URI_RE.test(value)) bad('no whitespace');
        break;
      case 'date':
        if (!DATE_RE.test(value) || !calendarOk(value)) bad('YYYY, YYYY-MM or YYYY-MM-DD, a real date');
        break;
      case 'dateTime':
        if (!DATETIME_RE.test(value) || !calendarOk(value)) bad('YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone (Z or ±hh:mm), a real date');
        break;
      case 'instant':
        if (!INSTANT_RE.test(value) || !calendarOk(value)) bad('YYYY-MM-DDThh:mm:ss(.sss) with a time zone (Z or ±hh:mm), a real date');
        break;
      case 'base64Binary': {
        const why = base64Problem(value);
        if (why) this.fail(path, `is not valid base64: ${why}.`);
        break;
      }
      case 'xhtml':
        this.xhtml(value, path);
        break;
    }
    if (def.valueSet && !def.valueSet.includes(value)) {
      this.fail(path, `"${clip(value)}" is not in the required value set; use one of: ${def.valueSet.join(' | ')}.`);
    }
  }

  private xhtml(div: string, path: string): void {
    if (!/^\s*<div[\s>]/.test(div) || !/<\/div>\s*$/.test(div)) this.fail(path, 'must be a single <div> element (txt-1).');
    if (!/^\s*<div[^>]*\sxmlns=(["'])http:\/\/www\.w3\.org\/1999\/xhtml\1/.test(div)) this.fail(path, 'the <div> must declare xmlns="http://www.w3.org/1999/xhtml".');
    if (/<\s*(script|form|iframe|object|embed|base|link|style|head|body)\b/i.test(div) || /\son\w+\s*=/i.test(div)) {
      this.fail(path, 'txt-1: only basic HTML is allowed: no scripts, forms, frames, styles or event handlers.');
    }
    if (!/[^\s]/.test(div.replace(/<[^>]*>/g, '')) && !/<img\b/i.test(div)) this.fail(path, 'txt-2: the narrative must have some non-whitespace content.');
  }

  extension(value: unknown, path: string, nested: boolean): void {
    if (!isObject(value)) return this.fail(path, `must be an Extension object, got ${kind(value)}.`);
    const values = Object.keys(value).filter((k) => k.startsWith('value'));
    for (const [key, v] of Object.entries(value)) {
      if (key === 'url' || key === 'id') this.element(v, { type: key === 'url' ? 'uri' : 'string' }, `${path}.${key}`);
      else if (key === 'extension') {
        if (!Array.isArray(v) || v.length === 0) this.fail(`${path}.extension`, 'must be a non-empty array.');
        else v.forEach((e, i) => this.extension(e, `${path}.extension[${i}]`, true));
      } else if (key in EXTENSION_VALUES) this.element(v, { type: EXTENSION_VALUES[key]! }, `${path}.${key}`);
      else this.fail(`${path}.${key}`, key.startsWith('value') ? `${key} is not an R4 value[x] type.` : unknownElement(key, 'Extension'));
    }
    if (typeof value.url !== 'string') this.fail(`${path}.url`, 'is required: every extension names its definition.');
    else if (!nested && !ABSOLUTE_URI_RE.test(value.url)) this.fail(`${path}.url`, `"${value.url}" must be an absolute URL (only nested extensions may use a simple name).`);
    if (values.length > 1) this.fail(path, `has ${values.join(' and ')}: value[x] takes one type only.`);
    const hasChildren = Array.isArray(value.extension) && value.extension.length > 0;
    if (values.length && hasChildren) this.fail(path, 'ext-1: an extension has either a value or nested extensions, not both.');
    if (!values.length && !hasChildren) this.fail(path, 'ext-1: an extension needs a value[x] or nested extensions.');
  }

  private reference(value: Record<string, unknown>, def: ElementDef, path: string): void {
    const r = value.reference;
    if (typeof r === 'string') this.references.push({ path, reference: r, targets: def.targets });
    const t = value.type;
    if (typeof t === 'string' && def.targets && !def.targets.includes(t)) {
      this.fail(`${path}.type`, `${t} is not allowed here; R4 allows ${def.targets.join(' | ')}.`);
    }
    if (typeof r === 'string' && def.targets) {
      const m = /^(?:.*\/)?([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/.+)?$/.exec(r);
      if (m && !def.targets.includes(m[1]!)) this.fail(`${path}.reference`, `points at a ${m[1]}; R4 allows ${def.targets.join(' | ')} here.`);
    }
  }
}

function unknownElement(key: string, typeName: string): string {
  if (typeName === 'DiagnosticReport' && R5_ONLY.has(key)) return `"${key}" is not an element of DiagnosticReport in R4 (R5 added it); use an extension or the narrative.`;
  return `"${key}" is not an element of ${typeName} in R4.`;
}

/** Checks a parsed JSON value as an R4 DiagnosticReport. */
export function checkDiagnosticReport(json: unknown): FhirCheckResult {
  const c = new Checker();
  const root = 'DiagnosticReport';
  if (!isObject(json)) {
    c.fail(root, `must be a JSON object, got ${kind(json)}.`);
    return { valid: false, issues: c.issues };
  }
  if (json.resourceType !== 'DiagnosticReport') {
    c.fail(`${root}.resourceType`, `must be "DiagnosticReport", got ${json.resourceType === undefined ? 'nothing' : JSON.stringify(json.resourceType)}.`);
  }
  c.object(json, DIAGNOSTIC_REPORT, root, 'DiagnosticReport');
  if (json.effectiveDateTime !== undefined && json.effectivePeriod !== undefined) {
    c.fail(`${root}.effective[x]`, 'has both effectiveDateTime and effectivePeriod: a choice element takes one form only.');
  }
  const code = json.code;
  if (isObject(code) && code.coding === undefined && code.text === undefined) {
    c.fail(`${root}.code`, 'needs a coding or a text saying what the report is.');
  }
  checkContained(c, json, root);
  return { valid: c.issues.length === 0, issues: c.issues };
}

function checkContained(c: Checker, json: Record<string, unknown>, root: string): void {
  const ids = new Map<string, string>();
  if (Array.isArray(json.contained)) {
    json.contained.forEach((res, i) => {
      const path = `${root}.contained[${i}]`;
      if (!isObject(res)) return;
      if (typeof res.resourceType !== 'string') return c.fail(`${path}.resourceType`, 'is required: a contained resource says its type.');
      if (typeof res.id !== 'string') c.fail(`${path}.id`, 'is required: a contained resource needs an id to be referenced by ("#id").');
      else if (ids.has(res.id)) c.fail(`${path}.id`, `"${res.id}" is used by another contained resource.`);
      else ids.set(res.id, res.resourceType);
      if ('contained' in res) c.fail(`${path}.contained`, 'dom-2: a contained resource must not contain resources.');
      if (isObject(res.meta) && ('versionId' in res.meta || 'lastUpdated' in res.meta)) c.fail(`${path}.meta`, 'dom-4: a contained resource has no versionId or lastUpdated.');
      if (res.resourceType === 'Patient') c.object(res, PATIENT, path, 'Patient');
      if (res.resourceType === 'Practitioner') c.object(res, PRACTITIONER, path, 'Practitioner');
      if (res.resourceType === 'Observation') checkObservation(c, res, path);
    });
  }
  const used = new Set<string>();
  for (const r of c.references) {
    if (!r.reference.startsWith('#')) continue;
    const id = r.reference.slice(1);
    const type = ids.get(id);
    used.add(id);
    if (!type) c.fail(`${r.path}.reference`, `"${r.reference}" points at no contained resource.`);
    else if (r.targets && !r.targets.includes(type)) c.fail(`${r.path}.reference`, `points at a contained ${type}; R4 allows ${r.targets.join(' | ')} here.`);
  }
  for (const [id] of ids) {
    if (!used.has(id)) c.fail(`${root}.contained`, `dom-3: the contained resource "${id}" is not referenced from the report.`);
  }
}

function checkObservation(c: Checker, obs: Record<string, unknown>, path: string): void {
  c.object(obs, OBSERVATION, path, 'Observation');
  const values = Object.keys(obs).filter((k) => k in OBSERVATION_VALUES);
  if (values.length > 1) c.fail(`${path}.value[x]`, `has ${values.join(' and ')}: value[x] takes one type only.`);
  if (values.length && obs.dataAbsentReason !== undefined) c.fail(`${path}.dataAbsentReason`, 'obs-6: dataAbsentReason only when there is no value.');
  const code = obs.code;
  if (isObject(code) && code.coding === undefined && code.text === undefined) c.fail(`${path}.code`, 'needs a coding or a text saying what was observed.');
}

/** Why a string is not canonical base64, or null. */
export function base64Problem(s: string): string | null {
  if (/\s/.test(s)) return 'it has whitespace';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    const bad = s.match(/[^A-Za-z0-9+/=]/)?.[0];
    return bad ? `"${bad}" is not a base64 character` : '"=" padding may only end it';
  }
  if (s.length % 4 !== 0) return `its length (${s.length}) is not a multiple of 4`;
  return null;
}

function calendarOk(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return true;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string "${clip(v)}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export function formatIssues(issues: FhirIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('\n');
}
