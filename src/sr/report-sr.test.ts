import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportMeasurements } from '../report/structured-measurements';
import { AI_DRAFT_COMMENT, BASIC_TEXT_SR, buildReportSr, deviceUid, ENHANCED_SR, RANDOM_WEIGHTS_COMMENT, SIGNED_COMMENT } from './report-sr';
import { srSourceFromDicom, srSourceOfFile } from './source';

const FIXTURE = new URL('../../e2e/fixtures/imaging/dcm-mono2-explicit.dcm', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'cxr-sr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (u: URL) => {
  const b = readFileSync(u);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const device = { name: 'CXR-LLaVA tiny test model', modelId: 'cxr-llava-tiny', randomWeights: true, softwareVersion: '0.1.0' };
const TEXT = 'Findings: No focal consolidation.\nImpression: Normal chest — ünïcode kept.';

describe('report as a DICOM Basic Text SR', () => {
  const source = srSourceFromDicom(bytesOf(FIXTURE));
  const sr = buildReportSr({ source, text: TEXT, device, now: new Date(2026, 11, 4, 9, 30, 5) });
  const path = write('report.dcm', sr.bytes);

  it('reads the source image header (the fixture as dcmdump sees it)', () => {
    const dump = execFileSync('dcmdump', ['+P', '0020,000d', '+P', '0008,0018', '+P', '0020,000e', FIXTURE.pathname]).toString();
    expect(dump).toContain(source.StudyInstanceUID);
    expect(dump).toContain(source.SOPInstanceUID);
    expect(dump).toContain(source.SeriesInstanceUID);
    expect(source.patientAndStudy.PatientID).toBe('PID-1');
    expect(source.patientAndStudy.AccessionNumber).toBe('ACC1');
  });

  it("dcmtk's dsrdump reads it back: flags, observer device, text and the image reference", () => {
    const out = execFileSync('dsrdump', ['+Pl', '+Pc', '+Pu', '+U8', path]).toString('utf8');
    expect(out).toMatch(/Basic Text SR Document/);
    expect(out).toMatch(/Completion Flag\s*:\s*PARTIAL/);
    expect(out).toMatch(/Verification Flag\s*:\s*UNVERIFIED/);
    expect(out).toContain('Test^Patient^1');
    expect(out).toContain('Device Observer Name');
    expect(out).toContain(device.name);
    expect(out).toContain(deviceUid(device.modelId));
    expect(out).toContain('No focal consolidation.');
    expect(out).toContain('ünïcode kept');
    expect(out).toContain(AI_DRAFT_COMMENT);
    expect(out).toContain(RANDOM_WEIGHTS_COMMENT);
    expect(out).toMatch(/<inferred from IMAGE:=\(SC image,"[\d.]+"\)>/);
    expect(out).toContain(source.SOPInstanceUID);
  });

  it('is in the image study, in a new series, and lists the image as evidence', () => {
    const out = execFileSync('dcmdump', ['+P', '0020,000d', '+P', '0020,000e', '+P', '0008,0016', '+P', '0040,a375', '+P', '0040,a496', '+p', path]).toString();
    expect(out).toContain(`[${source.StudyInstanceUID}]`);
    expect(out).toContain(`[${sr.seriesInstanceUID}]`);
    expect(sr.seriesInstanceUID).not.toBe(source.SeriesInstanceUID);
    expect(execFileSync('dcmdump', ['+P', '0008,0016', path]).toString()).toContain(BASIC_TEXT_SR === '1.2.840.10008.5.1.4.1.1.88.11' ? 'BasicTextSRStorage' : '?');
    expect(execFileSync('dcmdump', ['+P', '0040,a496', path]).toString()).toContain('[PRELIMINARY]');
    // Evidence: Current Requested Procedure Evidence Sequence -> series -> the source SOP instance.
    const evidence = execFileSync('dcmdump', ['+P', '0040,a375', '+P', '0008,1155', path]).toString();
    expect(evidence).toContain(source.SOPInstanceUID);
  });

  it("passes dicom3tools' dciodvfy with no errors", () => {
    if (!existsSync('/usr/bin/dciodvfy')) throw new Error('dciodvfy missing: run node e2e/tools/ensure-system-deps.mjs as root');
    const r = spawnSync('dciodvfy', [path]);
    const out = `${r.stdout.toString()}${r.stderr.toString()}`;
    const errors = out.split('\n').filter((l) => /^Error/.test(l));
    expect(errors, out).toEqual([]);
  });

  it('refuses an empty report and gives every SR new UIDs', () => {
    expect(() => buildReportSr({ source, text: '  \n', device, now: new Date() })).toThrow(/empty/);
    const again = buildReportSr({ source, text: TEXT, device, now: new Date() });
    expect(again.sopInstanceUID).not.toBe(sr.sopInstanceUID);
    expect(deviceUid('a')).toBe(deviceUid('a'));
    expect(deviceUid('a')).not.toBe(deviceUid('b'));
    expect(deviceUid('a')).toMatch(/^2\.25\.\d{1,39}$/);
  });
});

describe("the reader's lengths and cardiothoracic ratio, as NUM items of an Enhanced SR", () => {
  const source = srSourceFromDicom(bytesOf(FIXTURE));
  const view = (v: string) => [{ key: 'viewPosition', label: 'View Position', value: v, identifying: false }];
  const image = { pixelSpacing: [0.139, 0.139] as [number, number], spacingBasis: { kind: 'detector' as const }, meta: view('AP') };
  const measurements = reportMeasurements(image, [
    { a: { x: 10.5, y: 20 }, b: { x: 60, y: 22.25 } },
    { a: { x: 30, y: 40 }, b: { x: 55, y: 40 }, role: 'heart' },
    { a: { x: 10, y: 45 }, b: { x: 85, y: 45 }, role: 'chest' },
  ])!;
  const sr = buildReportSr({ source, text: TEXT, device, now: new Date(2026, 11, 4, 9, 30, 5), measurements });
  const path = write('measured.dcm', sr.bytes);

  it("dsrdump reads each length in mm from the polyline drawn on the image, and the ratio grouped with its widths and their finding sites", () => {
    expect(sr.sopClassUID).toBe(ENHANCED_SR);
    const out = execFileSync('dsrdump', ['+Pl', '+Pc', '+Pu', '+U8', path]).toString('utf8');
    expect(out).toMatch(/^Enhanced SR Document/m);
    const image = `<selected from IMAGE:=(SC image,"${source.SOPInstanceUID}")>`;
    // 49.5 x 2.25 px at 0.139 mm: 6.888 mm.
    expect(out).toContain(
      [
        '<contains NUM:(410668003,SCT,"Length")="6.9" (mm,UCUM,"millimeter")>',
        '      <inferred from SCOORD:=(POLYLINE,10.5/20,60/22.25)>',
        `        ${image}`,
        // The ratio with the widths it is taken from, in one group.
        '    <contains CONTAINER:(125007,DCM,"Measurement Group")=SEPARATE>',
        '      <contains NUM:(410668003,SCT,"Length")="3.5" (mm,UCUM,"millimeter")>',
        '        <has concept mod CODE:(363698007,SCT,"Finding Site")=(80891009,SCT,"Heart structure")>',
        '        <inferred from SCOORD:=(POLYLINE,30/40,55/40)>',
        `          ${image}`,
        '      <contains NUM:(410668003,SCT,"Length")="10.4" (mm,UCUM,"millimeter")>',
        '        <has concept mod CODE:(363698007,SCT,"Finding Site")=(51185008,SCT,"Thoracic structure")>',
        '        <inferred from SCOORD:=(POLYLINE,10/45,85/45)>',
        `          ${image}`,
        '      <contains NUM:(CTR,99CXRLLAVAWEB,"Cardiothoracic ratio")="0.33" ({ratio},UCUM,"ratio")>',
      ].join('\n'),
    );
    // The text is still the report, and the comments say whose the measurements are.
    expect(out).toContain('No focal consolidation.');
    expect(out).toContain('Measurements drawn by the reader on the image, not by the model (at the detector, not corrected for magnification).');
    expect(out).toContain('Cardiothoracic ratio: AP view: the heart is magnified');
    const scheme = execFileSync('dcmdump', ['+P', '0008,0110', '+P', '0008,0115', path]).toString();
    expect(scheme).toContain('[99CXRLLAVAWEB]');
    expect(scheme).toContain('[CXR-LLaVA Web measurement codes]');
  });

  it('references the image through the presentation state sent with it, and lists that as evidence', () => {
    const ps = { seriesInstanceUID: '1.2.826.0.1.3680043.10.7.1', sopInstanceUID: '1.2.826.0.1.3680043.10.7.2' };
    const withPs = buildReportSr({ source, text: TEXT, device, now: new Date(2026, 11, 7, 8, 0, 0), measurements, presentationState: ps });
    const p = write('measured-with-ps.dcm', withPs.bytes);
    const out = execFileSync('dsrdump', ['+Pl', '+Pu', '+U8', p]).toString('utf8');
    const through = `IMAGE:=(SC image,"${source.SOPInstanceUID}"),(GSPS,"${ps.sopInstanceUID}")`;
    expect(out).toContain(`<inferred from ${through}>`);
    expect(out).toContain(`<selected from ${through}>`);
    const evidence = execFileSync('dcmdump', ['+P', '0040,a385', '+P', '0020,000e', '+P', '0008,1155', p]).toString();
    expect(evidence).toContain(`(0020,000e) UI [${ps.seriesInstanceUID}]`);
    expect(evidence).toContain(`(0008,1155) UI [${ps.sopInstanceUID}]`);
    const r = spawnSync('dciodvfy', [p]);
    const said = `${r.stdout.toString()}${r.stderr.toString()}`;
    expect(said.split('\n').filter((l) => /^Error/.test(l)), said).toEqual([]);
  });

  it("passes dicom3tools' dciodvfy as an Enhanced SR with no errors", () => {
    const r = spawnSync('dciodvfy', [path]);
    const out = `${r.stdout.toString()}${r.stderr.toString()}`;
    expect(out).toMatch(/^EnhancedSR$/m);
    expect(out.split('\n').filter((l) => /^Error/.test(l)), out).toEqual([]);
  });

  it('stays a Basic Text SR when only lengths in pixels were drawn, and says why they are not in it', () => {
    const pixels = reportMeasurements({ pixelSpacing: null, meta: [] }, [{ a: { x: 0, y: 0 }, b: { x: 30, y: 40 } }])!;
    const plain = buildReportSr({ source, text: TEXT, device, now: new Date(), measurements: pixels });
    expect(plain.sopClassUID).toBe(BASIC_TEXT_SR);
    const out = execFileSync('dsrdump', ['+Pl', '+U8', write('pixels.dcm', plain.bytes)]).toString('utf8');
    expect(out).not.toContain('NUM');
    expect(out).toContain('1 length was measured in pixels (the image has no pixel spacing) and is left out of the structured measurements.');
  });
});

describe('a signed report as an SR', () => {
  const source = srSourceFromDicom(bytesOf(FIXTURE));
  const reader = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
  const draft = buildReportSr({ source, text: TEXT, device, now: new Date(2026, 11, 7, 9, 0, 0) });
  const predecessor = { seriesInstanceUID: draft.seriesInstanceUID, sopInstanceUID: draft.sopInstanceUID, sopClassUID: draft.sopClassUID };
  const signed = buildReportSr({
    source,
    text: TEXT,
    device,
    now: new Date(2026, 11, 7, 9, 31, 0),
    signature: { reader, at: new Date(2026, 11, 7, 9, 30, 5).getTime(), amends: { reader, at: new Date(2026, 11, 7, 9, 10, 0).getTime(), addendum: true } },
    predecessor,
    indication: 'Cough and fever; ? pneumonia',
  });
  const path = write('signed.dcm', signed.bytes);

  it('is complete, verified by the reader and final; the reader the first observer; the draft it grew from its predecessor', () => {
    const out = execFileSync('dsrdump', ['+Pl', '+Pc', '+Pu', '+U8', path]).toString('utf8');
    expect(out).toMatch(/Completion Flag\s*:\s*COMPLETE/);
    expect(out).toMatch(/Verification Flag\s*:\s*VERIFIED/);
    expect(out).toMatch(/Preliminary Flag\s*:\s*FINAL/);
    expect(out).toMatch(/Predecessor Docs\s*:\s*1/);
    expect(out).toMatch(/Verifying Observers\s*:\s*2026-12-07 09:30:05, Doe\^Jane\^\^Dr, St Example Hospital/);
    expect(out).toMatch(/<has obs context CODE:\(121005,DCM,"Observer Type"\)=\(121006,DCM,"Person"\)>\s*\n\s*<has obs context PNAME:\(121008,DCM,"Person Observer Name"\)="Doe\^Jane\^\^Dr">/);
    expect(out).toContain('Device Observer Name');
    expect(out).toContain(SIGNED_COMMENT);
    expect(out).toContain('"Adds an addendum to the report signed by Dr Jane Doe (St Example Hospital), 2026-12-07 09:10."');
    expect(out).not.toContain(AI_DRAFT_COMMENT);
    expect(out).toContain(RANDOM_WEIGHTS_COMMENT);
    // The reason for the study in a section of its own, before the findings.
    expect(out).toMatch(/<contains CONTAINER:\(121109,DCM,"Indications for Procedure"\)=SEPARATE>\s*\n\s*<contains TEXT:\(55115-0,LN,"Request"\)="Cough and fever; \? pneumonia">\s*\n\s*<contains CONTAINER:\(121070,DCM,"Findings"\)/);
    const dump = execFileSync('dcmdump', ['+P', '0040,a360', '+P', '0040,a040', '+P', '0008,1155', '+P', '0040,a496', '+P', '0008,103e', path]).toString();
    expect(dump).toContain(`(0008,1155) UI [${draft.sopInstanceUID}]`);
    expect(dump).toContain('(0040,a496) CS [FINAL]');
    expect(dump).toContain('[Report (signed; drafted with AI)]');
  });

  it("passes dicom3tools' dciodvfy with no errors", () => {
    const r = spawnSync('dciodvfy', [path]);
    const out = `${r.stdout.toString()}${r.stderr.toString()}`;
    expect(out.split('\n').filter((l) => /^Error/.test(l)), out).toEqual([]);
  });
});

describe('the SR source of a file opened in the app (dropped, picked or from the server)', () => {
  const file = (name: string) => bytesOf(new URL(`../../e2e/fixtures/imaging/${name}`, import.meta.url));

  it("files a dropped DICOM's report in that image's own study, pointing at that instance, and dciodvfy passes it", () => {
    const r = srSourceOfFile(file('dcm-mono1.dcm'));
    if (!r.source) throw new Error(r.sourceProblem);
    const dump = execFileSync('dcmdump', ['+P', '0020,000d', '+P', '0008,0018', new URL('../../e2e/fixtures/imaging/dcm-mono1.dcm', import.meta.url).pathname]).toString();
    expect(dump).toContain(r.source.StudyInstanceUID);
    expect(dump).toContain(r.source.SOPInstanceUID);
    expect(r.source.patientAndStudy.PatientID).toBe('PID-2');
    const sr = buildReportSr({ source: r.source, text: 'Dropped file report.', device, now: new Date(2026, 11, 4, 9, 30, 5) });
    const p = write('dropped.dcm', sr.bytes);
    const out = execFileSync('dsrdump', ['+Pl', '+Pc', '+Pu', '+U8', p]).toString('utf8');
    expect(out).toContain(`<inferred from IMAGE:=(SC image,"${r.source.SOPInstanceUID}")>`);
    const header = execFileSync('dcmdump', ['+P', '0020,000d', '+P', '0010,0020', '+P', '0008,0060', p]).toString();
    expect(header).toContain(`[${r.source.StudyInstanceUID}]`);
    expect(header).toContain('[PID-2]');
    expect(header).toContain('[SR]');
    const v = spawnSync('dciodvfy', [p]);
    const out2 = `${v.stdout.toString()}${v.stderr.toString()}`;
    expect(out2.split('\n').filter((l) => /^Error/.test(l)), out2).toEqual([]);
  });

  it('says why a PNG or JPEG cannot be filed in a study, and why a DICOM without UIDs cannot', () => {
    const png = srSourceOfFile(file('gray8.png'));
    expect(png.source).toBeNull();
    expect(png.source === null && png.sourceProblem).toMatch(/^A PNG file has no patient, study or image identifiers, so its report cannot be filed in a study\. .*unmatched orphan.*Open the image from the hospital server/);
    const jpeg = srSourceOfFile(file('gray.jpg'));
    expect(jpeg.source === null && jpeg.sourceProblem).toMatch(/JPEG file/);
    const notDicom = srSourceOfFile(file('not-dicom.dcm'));
    expect(notDicom.source === null && notDicom.sourceProblem).toMatch(/DICOM header could not be read|has no/);
  });
});
