import { describe, expect, it } from 'vitest';
import type { ReportDocument } from './context';
import { base64Problem, checkDiagnosticReport, formatIssues } from './fhir-check';
import { AI_DRAFT_EXTENSION, base64ToUtf8, buildDiagnosticReport, EmptyReportError, fhirJson } from './fhir';
import { reportMeasurements } from './structured-measurements';

const doc: ReportDocument = {
  text: 'Mild cardiomegaly. No pleural effusion — “lungs” clear. 肺 <ok> & done.',
  preset: 'report',
  model: { id: 'cxr-llava-v2', name: 'CXR-LLaVA v2', randomWeights: false },
  study: { format: 'dicom', width: 2048, height: 2500, modality: 'CR', viewPosition: 'PA', studyDate: '2024-02-29' },
  now: new Date('2025-03-04T10:11:12.345Z'),
};

/** The export, through JSON as a file would carry it. */
const exported = (d: ReportDocument = doc, patient?: Parameters<typeof buildDiagnosticReport>[1]) =>
  JSON.parse(fhirJson(buildDiagnosticReport(d, patient))) as Record<string, unknown>;

function messages(json: unknown): string {
  const r = checkDiagnosticReport(json);
  expect(r.valid).toBe(false);
  return formatIssues(r.issues);
}

describe('buildDiagnosticReport', () => {
  it('writes a preliminary R4 DiagnosticReport that the checker accepts', () => {
    const r = exported();
    const check = checkDiagnosticReport(r);
    expect(formatIssues(check.issues)).toBe('');
    expect(check.valid).toBe(true);
    expect(r).toMatchObject({
      resourceType: 'DiagnosticReport',
      status: 'preliminary',
      code: { coding: [{ system: 'http://loinc.org', code: '18748-4' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
      effectiveDateTime: '2024-02-29',
      issued: '2025-03-04T10:11:12.345Z',
      conclusion: doc.text,
    });
  });

  it('carries the text as base64 of its UTF-8 bytes, with a title and content type', () => {
    const form = (exported().presentedForm as { data: string; contentType: string; title: string }[])[0]!;
    expect(form.contentType).toBe('text/plain; charset=utf-8');
    expect(form.title).toMatch(/AI-generated draft/);
    expect(base64ToUtf8(form.data)).toBe(doc.text);
    expect(Buffer.from(form.data, 'base64').toString('utf8')).toBe(doc.text);
  });

  it('names the model and says the draft is not reviewed, in an extension and the narrative', () => {
    const r = exported();
    const ext = (r.extension as { url: string; extension: { url: string; valueString?: string; valueBoolean?: boolean }[] }[])[0]!;
    expect(ext.url).toBe(AI_DRAFT_EXTENSION);
    expect(ext.extension).toEqual(
      expect.arrayContaining([
        { url: 'modelName', valueString: 'CXR-LLaVA v2' },
        { url: 'modelId', valueString: 'cxr-llava-v2' },
        { url: 'reviewed', valueBoolean: false },
      ]),
    );
    const div = (r.text as { div: string }).div;
    expect(div).toMatch(/CXR-LLaVA v2 \(cxr-llava-v2\); not reviewed/);
    expect(div).toContain('&lt;ok&gt; &amp; done');
    expect(r).not.toHaveProperty('note');
  });

  it('signed: final (amended when it replaces a signed one), the reader a contained Practitioner as results interpreter, issued when signed', () => {
    const reader = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    const at = Date.parse('2025-03-04T10:30:00.000Z');
    const signed = exported({ ...doc, signature: { reader, at, text: doc.text } });
    expect(formatIssues(checkDiagnosticReport(signed).issues)).toBe('');
    expect(signed).toMatchObject({
      status: 'final',
      issued: '2025-03-04T10:30:00.000Z',
      resultsInterpreter: [{ reference: '#reader' }],
      contained: [{ resourceType: 'Practitioner', id: 'reader', name: [{ text: 'Dr Jane Doe', family: 'Doe', given: ['Jane'], prefix: ['Dr'] }] }],
    });
    const ext = (signed.extension as { extension: { url: string; valueBoolean?: boolean }[] }[])[0]!.extension;
    expect(ext).toContainEqual({ url: 'reviewed', valueBoolean: true });
    expect((signed.text as { div: string }).div).toMatch(/<b>Signed by Dr Jane Doe \(St Example Hospital\), .*\.<\/b> Drafted with CXR-LLaVA v2 \(cxr-llava-v2\); reviewed and signed by the reader\./);

    const amended = exported({ ...doc, signature: { reader: { family: 'Roe', given: '', prefix: '', organization: 'Other Clinic' }, at, text: doc.text, amends: { reader, at: at - 60_000 } } }, { patient: { name: 'DOE JOHN' } });
    expect(formatIssues(checkDiagnosticReport(amended).issues)).toBe('');
    expect(amended.status).toBe('amended');
    const appended = exported({ ...doc, signature: { reader, at, text: doc.text, amends: { reader, at: at - 60_000, addendum: true } } });
    expect([appended.status, formatIssues(checkDiagnosticReport(appended).issues)]).toEqual(['appended', '']);
    expect((amended.contained as { id: string; name?: unknown }[]).map((c) => c.id)).toEqual(['patient', 'reader']);
    expect((amended.contained as { name?: unknown }[])[1]!.name).toEqual([{ text: 'Roe', family: 'Roe' }]);
    // A Practitioner is checked like the other contained resources.
    expect(messages({ ...signed, contained: [{ resourceType: 'Practitioner', id: 'reader', name: { family: 'Doe' } }] })).toMatch(/contained\[0\]\.name: must be an array/);
  });

  it("carries how much of the AI draft the report keeps, in the extension and the narrative", () => {
    const r = exported({ ...doc, aiDraft: { modelWords: 10, keptWords: 8, removedWords: 2, addedWords: 3 } });
    expect(formatIssues(checkDiagnosticReport(r).issues)).toBe('');
    const ext = (r.extension as { extension: { url: string; valueUnsignedInt?: number }[] }[])[0]!.extension;
    expect(ext.filter((e) => e.valueUnsignedInt !== undefined)).toEqual([
      { url: 'draftWords', valueUnsignedInt: 10 },
      { url: 'keptWords', valueUnsignedInt: 8 },
      { url: 'removedWords', valueUnsignedInt: 2 },
      { url: 'addedWords', valueUnsignedInt: 3 },
    ]);
    expect((r.text as { div: string }).div).toContain("<p>AI draft: Kept 8 of the AI draft&#39;s 10 words, removed 2, added 3.</p>");
  });

  it('says whether the model passed its self-check on this device, in an extension and the narrative', () => {
    const failed = { status: 'failed' as const, text: 'SELF-CHECK FAILED on this device at the decoder stage: token 3 differs.' };
    const r = exported({ ...doc, model: { ...doc.model!, verification: failed } });
    expect(checkDiagnosticReport(r).valid).toBe(true);
    const ext = (r.extension as { extension: { url: string; valueString?: string }[] }[])[0]!;
    expect(ext.extension).toContainEqual({ url: 'modelSelfCheck', valueString: 'failed' });
    expect((r.text as { div: string }).div).toContain('model self-check: SELF-CHECK FAILED on this device at the decoder stage');
    // A document that does not know (the CLI) says unverified, never verified.
    expect((exported().extension as { extension: { url: string; valueString?: string }[] }[])[0]!.extension).toContainEqual({ url: 'modelSelfCheck', valueString: 'unverified' });
  });

  it('carries the warning that the image is not a frontal chest radiograph, in an extension and the narrative', () => {
    const fitWarning = 'The file says this image is a CT image (Modality CT). CXR-LLaVA was trained on frontal chest radiographs: a report on this image is not meaningful.';
    const r = exported({ ...doc, study: { ...doc.study!, modality: 'CT', fitWarning } });
    expect(formatIssues(checkDiagnosticReport(r).issues)).toBe('');
    const ext = (r.extension as { extension: { url: string; valueString?: string }[] }[])[0]!;
    expect(ext.extension).toContainEqual({ url: 'imageFitWarning', valueString: fitWarning });
    expect((r.text as { div: string }).div).toContain(`<p><b>Warning:</b> ${fitWarning}</p>`);
    // A frontal chest radiograph: neither.
    const plain = exported();
    expect(JSON.stringify(plain)).not.toMatch(/imageFitWarning|Warning:/);
  });

  it("carries the reason for the study in R4's workflow-reasonCode extension, and the narrative", () => {
    const r = exported({ ...doc, indication: 'Cough & fever; ? pneumonia' });
    expect(formatIssues(checkDiagnosticReport(r).issues)).toBe('');
    expect(r.extension as unknown[]).toContainEqual({ url: 'http://hl7.org/fhir/StructureDefinition/workflow-reasonCode', valueCodeableConcept: { text: 'Cough & fever; ? pneumonia' } });
    expect((r.text as { div: string }).div).toContain('<p>Reason for the study: Cough &amp; fever; ? pneumonia</p>');
    expect(JSON.stringify(exported())).not.toMatch(/workflow-reasonCode|Reason for the study/);
  });

  it('has no patient identifiers unless asked; asked, a contained Patient that subject points at', () => {
    const plain = exported();
    expect(plain).not.toHaveProperty('subject');
    expect(plain).not.toHaveProperty('contained');
    const identified = exported(doc, { patient: { name: 'DOE JANE', id: 'MRN-1', birthDate: '1970-01-02', sex: 'female' } });
    expect(checkDiagnosticReport(identified).issues).toEqual([]);
    expect(identified.subject).toEqual({ reference: '#patient' });
    expect(identified.contained).toEqual([
      { resourceType: 'Patient', id: 'patient', identifier: [{ value: 'MRN-1' }], name: [{ text: 'DOE JANE' }], gender: 'female', birthDate: '1970-01-02' },
    ]);
  });

  it('leaves out effectiveDateTime without a study date, and works without a model or study', () => {
    const r = exported({ ...doc, model: null, study: null, preset: null });
    expect(r).not.toHaveProperty('effectiveDateTime');
    expect(checkDiagnosticReport(r).issues).toEqual([]);
  });

  it('refuses an empty report', () => {
    expect(() => buildDiagnosticReport({ ...doc, text: '  \n' })).toThrow(EmptyReportError);
  });
});

describe("the reader's lengths and cardiothoracic ratio, as contained Observations", () => {
  const image = { pixelSpacing: [0.1, 0.1] as [number, number], spacingBasis: { kind: 'detector' as const }, meta: [{ key: 'viewPosition', label: 'View', value: 'AP', identifying: false }] };
  const measurements = reportMeasurements(image, [
    { a: { x: 10, y: 10 }, b: { x: 433, y: 10 } },
    { a: { x: 100, y: 50 }, b: { x: 1410, y: 50 }, role: 'heart' },
    { a: { x: 20, y: 60 }, b: { x: 2750, y: 60 }, role: 'chest' },
  ])!;
  const measured = { ...doc, measurements };

  it('lists each in result, as R4 Observations the checker accepts: mm in UCUM, the widths with their body site, the ratio derived from them', () => {
    const r = exported(measured);
    expect(formatIssues(checkDiagnosticReport(r).issues)).toBe('');
    expect(r.result).toEqual([{ reference: '#length-1' }, { reference: '#length-2' }, { reference: '#length-3' }, { reference: '#cardiothoracic-ratio' }]);
    const [length, heart, chest, ratio] = r.contained as Record<string, unknown>[];
    expect(length).toMatchObject({
      resourceType: 'Observation',
      id: 'length-1',
      status: 'preliminary',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] }],
      code: { coding: [{ system: 'http://snomed.info/sct', code: '410668003', display: 'Length' }] },
      valueQuantity: { value: 42.3, unit: 'mm', system: 'http://unitsofmeasure.org', code: 'mm' },
      note: [{ text: 'Drawn by the reader on the image, not by the model (at the detector, not corrected for magnification).' }],
    });
    expect(length).not.toHaveProperty('bodySite');
    expect(heart).toMatchObject({ valueQuantity: { value: 131 }, bodySite: { coding: [{ system: 'http://snomed.info/sct', code: '80891009' }] } });
    expect(chest).toMatchObject({ valueQuantity: { value: 273 }, bodySite: { coding: [{ code: '51185008', display: 'Thoracic structure' }] } });
    expect(ratio).toMatchObject({
      id: 'cardiothoracic-ratio',
      code: { text: 'Cardiothoracic ratio' },
      valueQuantity: { value: 0.48, unit: 'ratio', system: 'http://unitsofmeasure.org', code: '{ratio}' },
      derivedFrom: [{ reference: '#length-2' }, { reference: '#length-3' }],
    });
    expect((ratio!.note as { text: string }[])[0]!.text).toMatch(/AP view: the heart is magnified/);
    const div = (r.text as { div: string }).div;
    expect(div).toContain('Measured by the reader on the image (at the detector, not corrected for magnification): Length 42.3 mm; Heart width 131.0 mm; Chest width 273.0 mm; Cardiothoracic ratio 0.48');
  });

  it('points the Observations at the contained Patient when identifiers are asked for', () => {
    const r = exported(measured, { patient: { id: 'MRN-1' } });
    expect(checkDiagnosticReport(r).issues).toEqual([]);
    const contained = r.contained as { resourceType: string; subject?: unknown }[];
    expect(contained.map((c) => c.resourceType)).toEqual(['Patient', 'Observation', 'Observation', 'Observation', 'Observation']);
    expect(contained.slice(1).every((c) => JSON.stringify(c.subject) === '{"reference":"#patient"}')).toBe(true);
  });

  it('says in the narrative why lengths in pixels are not among them', () => {
    const r = exported({ ...doc, measurements: reportMeasurements({ pixelSpacing: null, meta: [] }, [{ a: { x: 0, y: 0 }, b: { x: 30, y: 40 } }])! });
    expect(r).not.toHaveProperty('result');
    expect(r).not.toHaveProperty('contained');
    expect((r.text as { div: string }).div).toContain('1 length was measured in pixels (the image has no pixel spacing) and is left out of the structured measurements.');
    expect(checkDiagnosticReport(r).issues).toEqual([]);
  });

  it('the checker rejects a broken Observation', () => {
    const r = exported(measured);
    const withObservation = (change: Record<string, unknown>) => {
      const contained = (r.contained as Record<string, unknown>[]).map((o, i) => (i === 0 ? { ...o, ...change } : o));
      return { ...r, contained };
    };
    expect(messages(withObservation({ status: 'draft' }))).toMatch(/contained\[0\]\.status: "draft" is not in the required value set; use one of: registered \| preliminary/);
    expect(messages(withObservation({ status: undefined, code: undefined }))).toMatch(/contained\[0\]\.status: is required[\s\S]*contained\[0\]\.code: is required/);
    expect(messages(withObservation({ valueQuantity: { value: '42.3', unit: 'mm' } }))).toMatch(/valueQuantity\.value: must be a JSON number \(decimal\), got the string "42\.3"/);
    expect(messages(withObservation({ valueQuantity: { value: 42.3, code: 'mm' } }))).toMatch(/qty-3: a coded unit/);
    expect(messages(withObservation({ valueString: '42.3 mm' }))).toMatch(/value\[x\]: has valueQuantity and valueString/);
    expect(messages(withObservation({ dataAbsentReason: { text: 'x' } }))).toMatch(/obs-6/);
    expect(messages(withObservation({ note: [{ author: 'x' }] }))).toMatch(/note\[0\]\.author: "author" is not an element of Annotation[\s\S]*note\[0\]\.text: is required/);
    expect(messages(withObservation({ derivedFrom: [{ reference: '#nowhere' }] }))).toMatch(/derivedFrom\[0\]\.reference: "#nowhere" points at no contained resource/);
    expect(messages({ ...r, result: (r.result as unknown[]).slice(1) })).toMatch(/dom-3: the contained resource "length-1" is not referenced/);
  });
});

describe('checkDiagnosticReport rejects broken reports with useful messages', () => {
  const good = () => exported();

  it('a status outside the R4 value set', () => {
    expect(messages({ ...good(), status: 'draft' })).toMatch(/DiagnosticReport\.status: "draft" is not in the required value set; use one of: registered \| partial \| preliminary/);
  });

  it('missing status and code, and a code with neither coding nor text', () => {
    const m = messages({ ...good(), status: undefined, code: undefined });
    expect(m).toMatch(/DiagnosticReport\.status: is required/);
    expect(m).toMatch(/DiagnosticReport\.code: is required/);
    expect(messages({ ...good(), code: { id: 'c1' } })).toMatch(/DiagnosticReport\.code: needs a coding or a text/);
  });

  it('the wrong resourceType', () => {
    expect(messages({ ...good(), resourceType: 'Observation' })).toMatch(/resourceType: must be "DiagnosticReport", got "Observation"/);
    expect(messages({ ...good(), resourceType: undefined })).toMatch(/resourceType: must be "DiagnosticReport", got nothing/);
  });

  it('R5-only and unknown elements', () => {
    expect(messages({ ...good(), note: [{ text: 'AI draft' }] })).toMatch(/"note" is not an element of DiagnosticReport in R4 \(R5 added it\)/);
    expect(messages({ ...good(), reportText: 'x' })).toMatch(/DiagnosticReport\.reportText: "reportText" is not an element of DiagnosticReport in R4/);
    expect(messages({ ...good(), code: { coding: [{ system: 'http://loinc.org', code: '18748-4', displayName: 'x' }] } })).toMatch(
      /code\.coding\[0\]\.displayName: "displayName" is not an element of Coding/,
    );
  });

  it('wrong types and cardinality', () => {
    expect(messages({ ...good(), category: { coding: [] } })).toMatch(/DiagnosticReport\.category: must be an array \(0\.\.\* in R4\), got an object/);
    expect(messages({ ...good(), conclusion: ['a', 'b'] })).toMatch(/conclusion: must be a single value \(0\.\.1 in R4\), not an array/);
    expect(messages({ ...good(), conclusion: 42 })).toMatch(/conclusion: must be a JSON string \(string\), got number 42/);
    expect(messages({ ...good(), conclusion: '' })).toMatch(/conclusion: must not be empty or blank/);
    expect(messages({ ...good(), performer: [] })).toMatch(/performer: must not be an empty array/);
    expect(messages({ ...good(), subject: null })).toMatch(/subject: must not be null/);
  });

  it('bad dateTime and instant formats', () => {
    expect(messages({ ...good(), effectiveDateTime: '2024-03-04T10:00:00' })).toMatch(/effectiveDateTime: "2024-03-04T10:00:00" is not a valid dateTime: .*time zone/);
    expect(messages({ ...good(), effectiveDateTime: '20240304' })).toMatch(/effectiveDateTime: "20240304" is not a valid dateTime/);
    expect(messages({ ...good(), effectiveDateTime: '2023-02-29' })).toMatch(/a real date/);
    expect(messages({ ...good(), issued: '2025-03-04' })).toMatch(/issued: "2025-03-04" is not a valid instant/);
    expect(messages({ ...good(), effectivePeriod: { start: '2024-01-01' } })).toMatch(/effective\[x\]: has both effectiveDateTime and effectivePeriod/);
  });

  it('bad base64 and an attachment with data but no contentType', () => {
    const form = (data: string, extra: object = {}) => ({ ...good(), presentedForm: [{ contentType: 'text/plain', data, ...extra }] });
    expect(messages(form('aGVsbG8'))).toMatch(/presentedForm\[0\]\.data: is not valid base64: its length \(7\) is not a multiple of 4/);
    expect(messages(form('aGVs bG8='))).toMatch(/whitespace/);
    expect(messages(form('aGV$bG8='))).toMatch(/"\$" is not a base64 character/);
    expect(messages(form('a=GVsbG8'))).toMatch(/padding/);
    expect(messages({ ...good(), presentedForm: [{ data: 'aGVsbG8=' }] })).toMatch(/att-1: an attachment with data must say its contentType/);
    expect(messages(form('aGVsbG8=', { contentType: 'plain text' }))).toMatch(/contentType: "plain text" is not a MIME type|is not a valid code/);
  });

  it('broken extensions and narrative', () => {
    expect(messages({ ...good(), extension: [{ url: 'ai-draft', valueString: 'x' }] })).toMatch(/extension\[0\]\.url: "ai-draft" must be an absolute URL/);
    expect(messages({ ...good(), extension: [{ url: 'https://x.invalid/e' }] })).toMatch(/ext-1: an extension needs a value\[x\] or nested extensions/);
    expect(messages({ ...good(), extension: [{ url: 'https://x.invalid/e', valueString: 'a', valueBoolean: true }] })).toMatch(/value\[x\] takes one type only/);
    expect(messages({ ...good(), extension: [{ url: 'https://x.invalid/e', valueText: 'a' }] })).toMatch(/valueText is not an R4 value\[x\] type/);
    expect(messages({ ...good(), text: { status: 'generated', div: '<p>x</p>' } })).toMatch(/text\.div: must be a single <div>/);
    expect(messages({ ...good(), text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><script>x</script></div>' } })).toMatch(/txt-1/);
    expect(messages({ ...good(), text: { status: 'draft', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } })).toMatch(/text\.status: "draft" is not in the required value set/);
  });

  it('references: contained targets, dom-3, and performer types', () => {
    expect(messages({ ...good(), subject: { reference: '#p1' } })).toMatch(/subject\.reference: "#p1" points at no contained resource/);
    expect(messages({ ...good(), contained: [{ resourceType: 'Patient', id: 'p1' }] })).toMatch(/dom-3: the contained resource "p1" is not referenced/);
    expect(messages({ ...good(), performer: [{ reference: 'Device/cxr-llava' }] })).toMatch(/performer\[0\]\.reference: points at a Device; R4 allows Practitioner \| PractitionerRole \| Organization \| CareTeam/);
    expect(
      messages({ ...good(), subject: { reference: '#p' }, contained: [{ resourceType: 'Patient', id: 'p', gender: 'F', name: 'Doe' }] }),
    ).toMatch(/contained\[0\]\.gender: "F" is not in the required value set[\s\S]*contained\[0\]\.name: must be an array/);
  });

  it('not an object at all', () => {
    expect(messages('DiagnosticReport')).toMatch(/DiagnosticReport: must be a JSON object, got the string/);
  });
});

describe('base64Problem', () => {
  it('accepts canonical base64 only', () => {
    expect(base64Problem('')).toBeNull();
    expect(base64Problem('aGk=')).toBeNull();
    expect(base64Problem('aGVsbG8h')).toBeNull();
    expect(base64Problem('aGk')).toMatch(/multiple of 4/);
    expect(base64Problem('aG-k')).toMatch(/"-" is not a base64 character/);
  });
});
