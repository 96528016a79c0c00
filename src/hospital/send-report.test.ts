import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultVoiImage } from '../imaging/default-voi';
import { decodeImageFile } from '../imaging/decode-node';
import { srSourceOfFile } from '../sr/source';
import { createAppStore } from '../state/store';
import { hospitalStoreFor } from './hospital-store';
import { BASIC_TEXT_SR, ENHANCED_SR } from '../sr/report-sr';
import { initialWindow } from '../imaging/presented-view';
import { buildOpenStudyPresentationState, buildOpenStudySr, predecessorOf } from './send-report';

const dir = mkdtempSync(join(tmpdir(), 'cxr-send-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens a fixture as open-file.ts does (header for the SR, then the decoded study) and writes a report. */
async function openWithReport(name: string, report: string) {
  const bytes = readFileSync(new URL(`../../e2e/fixtures/imaging/${name}`, import.meta.url));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const app = createAppStore();
  const image = await decodeImageFile(new Uint8Array(buffer), name);
  const token = app.getState().startIntake(name);
  app.getState().finishIntake(token, { fileName: name, image, modelInput: defaultVoiImage(image), decodeMs: 0 });
  const h = hospitalStoreFor(app);
  h.getState().markOpened(app.getState().study!.key, { origin: 'file', ...srSourceOfFile(buffer) });
  app.getState().editReport(report);
  return { app, h };
}

/** The SR as dcmtk's dsrdump prints it, and dciodvfy's errors. */
function read(bytes: Uint8Array, name: string) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const dump = execFileSync('dsrdump', ['+Pl', '+Pc', '+U8', path]).toString('utf8');
  const v = spawnSync('dciodvfy', [path]);
  const errors = `${v.stdout.toString()}${v.stderr.toString()}`.split('\n').filter((l) => /^Error/.test(l));
  return { dump, errors };
}

describe('the SR sent from the open study says what the other exports say', () => {
  it('a lateral view: the model-fit warning and that the model is not verified on this workstation', async () => {
    const { app, h } = await openWithReport('dcm-lateral.dcm', 'Findings: none.');
    const { sr } = buildOpenStudySr(app, h);
    const { dump, errors } = read(sr.bytes, 'lateral-sr.dcm');
    expect(dump).toContain('Findings: none.');
    expect(dump).toMatch(/Warning: The file says this image is a lateral view, not a frontal one \(View Position LATERAL\)\. CXR-LLaVA was trained on frontal chest radiographs/);
    expect(dump).toMatch(/Model self-check on the workstation that wrote this draft: NOT VERIFIED on this device/);
    expect(errors).toEqual([]);
  });

  it('a frontal radiograph: no warning; the self-check verdict as the store has it', async () => {
    const { app, h } = await openWithReport('dcm-mono2-explicit.dcm', 'Findings: none.');
    app.getState().setVerification({ status: 'failed', stage: 'decoder', summary: 'token 3 differs', at: '2026-12-06T10:00:00Z' });
    const { dump, errors } = read(buildOpenStudySr(app, h).sr.bytes, 'frontal-sr.dcm');
    expect(dump).not.toContain('Warning:');
    expect(dump).toContain('Model self-check on the workstation that wrote this draft: SELF-CHECK FAILED on this device at the decoder stage: token 3 differs');
    expect(errors).toEqual([]);
  });

  it('signed: verified by the reader, with the SR sent before for this image as its predecessor; a signature on other text counts for nothing', async () => {
    const { app, h } = await openWithReport('dcm-mono2-explicit.dcm', 'Findings: none.');
    const draft = buildOpenStudySr(app, h).sr;
    const key = app.getState().study!.key;
    h.getState().markSent(key, { seriesInstanceUID: draft.seriesInstanceUID, sopInstanceUID: draft.sopInstanceUID, sopClassUID: draft.sopClassUID, text: 'Findings: none.', measured: 'null', signedAt: null });
    app.setState({ modelReport: 'Findings: none. Lungs clear.' }); // the model's own text, which the reader cut
    app.getState().signReport({ family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' }, Date.UTC(2026, 11, 7, 10, 0));
    const { dump, errors } = read(buildOpenStudySr(app, h).sr.bytes, 'signed-sr.dcm');
    expect(dump).toContain(`The reader's changes to the AI draft: Kept 2 of the AI draft's 4 words, removed 2, added 0.`);
    expect(dump).toMatch(/Verification Flag\s*:\s*VERIFIED/);
    expect(dump).toMatch(/Verifying Observers\s*:\s*[\d-]+ [\d:]+, Doe\^Jane\^\^Dr, St Example Hospital/);
    expect(dump).toMatch(/Predecessor Docs\s*:\s*1/);
    expect(errors).toEqual([]);
    const pred = execFileSync('dcmdump', ['+P', '0008,1155', join(dir, 'signed-sr.dcm')]).toString();
    expect(pred).toContain(`[${draft.sopInstanceUID}]`);
    // A filed report gone on from after that send is what the next SR replaces; a send after that, the send.
    const filed = { seriesInstanceUID: '1.2.3.9', sopInstanceUID: '1.2.3.9.1', sopClassUID: draft.sopClassUID };
    const sentAt = h.getState().opened[key]!.sent!.at;
    h.getState().markContinued(key, filed);
    expect(predecessorOf({ sent: { ...h.getState().opened[key]!.sent!, at: sentAt - 1 }, continuedFrom: h.getState().opened[key]!.continuedFrom })).toMatchObject(filed);
    expect(predecessorOf({ sent: { ...h.getState().opened[key]!.sent!, at: Date.now() + 1000 }, continuedFrom: h.getState().opened[key]!.continuedFrom })?.sopInstanceUID).toBe(draft.sopInstanceUID);
    expect(predecessorOf({ continuedFrom: h.getState().opened[key]!.continuedFrom })).toMatchObject(filed);

    // The store's signature is for another text (as a restored draft could be): sent unsigned.
    app.setState({ signature: { ...app.getState().signature!, text: 'Other text.' } });
    expect(read(buildOpenStudySr(app, h).sr.bytes, 'unsigned-sr.dcm').dump).toMatch(/Verification Flag\s*:\s*UNVERIFIED/);
  });

  it("carries the lengths drawn on the open image, never another image's", async () => {
    const { app, h } = await openWithReport('dcm-mono2-explicit.dcm', 'Findings: none.');
    const image = app.getState().study!.image;
    // 0.139 mm pixels: 50 px across is 6.95 mm, shown and sent as 7.0 mm.
    app.getState().setImageLengths(image, [{ a: { x: 10, y: 20 }, b: { x: 60, y: 20 } }]);
    const { sr } = buildOpenStudySr(app, h);
    expect(sr.sopClassUID).toBe(ENHANCED_SR);
    const { dump, errors } = read(sr.bytes, 'measured-sr.dcm');
    expect(dump).toContain('<contains NUM:(410668003,SCT,"Length")="7.0" (mm,UCUM,"millimeter")>');
    expect(errors).toEqual([]);
    app.getState().setImageLengths({ ...image }, [{ a: { x: 10, y: 20 }, b: { x: 60, y: 20 } }]);
    expect(buildOpenStudySr(app, h).sr.sopClassUID).toBe(BASIC_TEXT_SR);
  });

  it("sends the lengths' presentation state in the open image's view as the viewer published it, else as the image opens", async () => {
    const { app, h } = await openWithReport('dcm-mono2-explicit.dcm', 'Findings: none.');
    const image = app.getState().study!.image;
    expect(buildOpenStudyPresentationState(app, h)).toBeNull();
    app.getState().setImageLengths(image, [{ a: { x: 10, y: 20 }, b: { x: 60, y: 20 } }]);
    const dumpOf = (name: string) => {
      const path = join(dir, name);
      writeFileSync(path, buildOpenStudyPresentationState(app, h)!.bytes);
      return execFileSync('dcmdump', ['+P', '0028,1050', '+P', '0028,1051', '+P', '2050,0020', '+P', '0070,0042', '+P', '0070,0041', '+P', '0070,0006', path]).toString();
    };
    const opening = initialWindow(image);
    let dump = dumpOf('opening-pr.dcm');
    expect(dump).toContain(`(0028,1050) DS [${opening.center}]`);
    expect(dump).toContain('(2050,0020) CS [IDENTITY]');
    expect(dump).toContain('(0070,0042) US 0');
    expect(dump).toContain('(0070,0006) ST [7.0 mm]');
    // Windowed, inverted and turned right in the viewer.
    app.getState().setImageView(image, { window: { center: 700, width: 300 }, invert: true, axes: { x: { x: 0, y: 2 }, y: { x: -2, y: 0 } } });
    dump = dumpOf('viewed-pr.dcm');
    expect(dump).toContain('(0028,1050) DS [700]');
    expect(dump).toContain('(0028,1051) DS [300]');
    expect(dump).toContain('(2050,0020) CS [INVERSE]');
    expect(dump).toContain('(0070,0042) US 90');
    expect(dump).toContain('(0070,0041) CS [N]');
    // Another image's view is not this image's.
    app.getState().setImageView({ ...image }, { window: { center: 1, width: 2 }, invert: false, axes: { x: { x: 1, y: 0 }, y: { x: 0, y: 1 } } });
    expect(dumpOf('other-pr.dcm')).toContain(`(0028,1050) DS [${opening.center}]`);
  });
});
