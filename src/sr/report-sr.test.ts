import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AI_DRAFT_COMMENT, BASIC_TEXT_SR, buildReportSr, deviceUid, RANDOM_WEIGHTS_COMMENT } from './report-sr';
import { srSourceFromDicom } from './source';

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
