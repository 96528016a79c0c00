import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from './support/browser';
import { credentialLeaks, keptInPage, searchStudies, signIn as signInAs } from './support/dicomweb';
import { orthancRest } from './support/orthanc';
import { closePanel, openPanel, setSettings, waitForIdle, waitForModel } from './support/reading-room';
import { recordRequests, requestOrigin } from './support/request-log';
import { dragOn, imageOnPage } from './support/viewport';

/**
 * The hospital workflow against a real Orthanc (DICOMweb plugin; started by global-setup on
 * loopback with its own storage and a basic-auth user), reached through the preview server's
 * same-origin proxy at /dicomweb: search, open, draft, edit, send the SR, read it back.
 */
const baseURL = inject('baseURL');
const server = inject('orthanc');
const orthanc = orthancRest(server.url, server.authorization);
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/imaging/${name}`, import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'cxr-e2e-sr-'));

/** Instance-level attributes of a stored fixture, as Orthanc indexed them. */
async function tagsOf(id: string): Promise<Record<string, string>> {
  return orthanc.get<Record<string, string>>(`/instances/${id}/simplified-tags`);
}

const modified = (id: string, replace: Record<string, string>) => orthanc.modified(id, replace);

const signIn = (page: Page, password: string) => signInAs(page, { kind: 'basic', user: server.user, password });
const search = searchStudies;

function dsrdump(bytes: Uint8Array, name: string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return execFileSync('dsrdump', ['+Pl', '+Pc', '+Pu', '+U8', p]).toString('utf8');
}

/** dicom3tools' dciodvfy on an SR: its error lines (warnings are allowed). */
function dciodvfyErrors(bytes: Uint8Array, name: string): string[] {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  const r = spawnSync('dciodvfy', [p]);
  return `${r.stdout.toString()}${r.stderr.toString()}`.split('\n').filter((l) => /^Error/.test(l));
}

describe('hospital workflow: DICOMweb in, DICOM SR out', () => {
  let browser: Browser;
  let context: BrowserContext;
  const ids: Record<string, { instance: string }> = {};

  beforeAll(async () => {
    for (const f of ['dcm-mono2-explicit.dcm', 'dcm-mono1.dcm', 'dcm-huge.dcm', 'dcm-multiframe.dcm']) ids[f] = await orthanc.upload(fixture(f));
    // A second image in PID-1's study, a lateral numbered before the PA, and a multi-frame instance that says it has 200,000 frames
    // (Orthanc rewrites the headers; the app must refuse it from its QIDO attributes alone).
    await orthanc.upload(await modified(ids['dcm-mono2-explicit.dcm']!.instance, { SOPInstanceUID: '1.2.826.0.1.3680043.9.7433.1.101', InstanceNumber: '0', ViewPosition: 'LATERAL' }));
    await orthanc.upload(await modified(ids['dcm-multiframe.dcm']!.instance, {
      NumberOfFrames: '200000',
      PatientID: 'PID-6',
      AccessionNumber: 'ACC6',
      StudyInstanceUID: '1.2.826.0.1.3680043.9.7433.2.106',
      SeriesInstanceUID: '1.2.826.0.1.3680043.9.7433.3.106',
      SOPInstanceUID: '1.2.826.0.1.3680043.9.7433.1.106',
    }));
    browser = await launchBrowser({ webgpu: false }); // wasm: the quickest way through a real generation
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says clearly when the password is wrong, the server is out of reach, the URL is no DICOMweb root, or a study has no CR/DX image', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    const error = page.getByTestId('study-browser').getByTestId('dicomweb-error');

    await signIn(page, 'wrong-password');
    await search(page, { patientId: 'PID-1' });
    await expect.poll(() => error.getAttribute('data-code'), { timeout: 30_000 }).toBe('unauthorized');
    expect(await error.textContent()).toMatch(/HTTP 401/);
    // No browser password prompt took over: the proxy drops the Basic challenge.

    await signIn(page, server.password);
    const url = page.getByLabel('DICOMweb URL');
    // Another origin: the Content-Security-Policy blocks it (connect-src), which reads as unreachable.
    await url.fill('http://127.0.0.1:9/dicom-web');
    await search(page, { patientId: 'PID-1' });
    await expect.poll(() => error.getAttribute('data-code'), { timeout: 30_000 }).toBe('unreachable');
    // A path the app's origin does not forward: the SPA page, not DICOM JSON.
    await url.fill('/not-dicomweb');
    await search(page, { patientId: 'PID-1' });
    await expect.poll(() => error.getAttribute('data-code'), { timeout: 30_000 }).toBe('not-found');

    await url.fill('/dicomweb');
    await search(page, { patientId: 'PID-4', modalities: '' }); // an OT-only study
    await page.getByRole('button', { name: 'Open study ACC4' }).click();
    await expect.poll(() => error.getAttribute('data-code'), { timeout: 30_000 }).toBe('no-image');
    expect(await error.textContent()).toMatch(/no CR or DX image \(it has OT\)/);

    // The huge multi-frame instance is the study's only DX image: refused before any download.
    await search(page, { patientId: 'PID-6', modalities: 'CR DX' });
    await page.getByRole('button', { name: 'Open study ACC6' }).click();
    await expect.poll(() => error.getAttribute('data-code'), { timeout: 30_000 }).toBe('too-large');
    expect(await error.textContent()).toMatch(/200000 frames/);
    await context.close();
  });

  it("hangs a study's lateral beside its PA as it opens from the server or the worklist (the setting), and Beside on the lateral's row shows or hides it", async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await openPanel(page, 'settings');
    await page.getByLabel('Show the other view beside the frontal one when a study with several images opens').setChecked(true);
    await closePanel(page, 'settings');
    await signIn(page, server.password);
    await search(page, { patientId: 'PID-1' });
    await page.getByRole('button', { name: 'Open study ACC1' }).click();
    const pa = `DX-${(await tagsOf(ids['dcm-mono2-explicit.dcm']!.instance)).SOPInstanceUID}.dcm`;
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, pa, { timeout: 60_000 });
    // The lateral, retrieved from the server into the side viewer; the PA stays the open image.
    const other = page.getByTestId('prior-viewer');
    const shown = page.locator('[data-testid="prior-viewport"][data-has-image="true"]');
    await shown.waitFor({ timeout: 30_000 });
    expect(await other.locator('.prior-viewer-label').textContent()).toBe('Same study: image 0 (DX LATERAL)');
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe(pa);
    // One Beside button, on the lateral's row (not on the open PA's), pressed while it is shown.
    const besides = page.getByRole('list', { name: 'Images in the study' }).getByRole('button', { name: /beside the open image$/ });
    expect(await besides.count()).toBe(1);
    const beside = page.getByRole('button', { name: 'Show image 0 (DX LATERAL) beside the open image' });
    expect(await beside.getAttribute('aria-pressed')).toBe('true');
    await beside.click();
    expect([await other.count(), await beside.getAttribute('aria-pressed')]).toEqual([0, 'false']);
    await beside.click();
    await shown.waitFor({ timeout: 30_000 });
    expect(await beside.getAttribute('aria-pressed')).toBe('true');
    // Put on the worklist, whose first row opens at once: the worklist hangs it the same way.
    await beside.click();
    expect(await other.count()).toBe(0);
    await openPanel(page, 'worklist');
    await page.getByRole('button', { name: 'Add all 1 to the worklist' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Worklist studies' }).locator('li[aria-current="true"]').count(), { timeout: 30_000 }).toBe(1);
    await shown.waitFor({ timeout: 30_000 });
    expect(await other.locator('.prior-viewer-label').textContent()).toBe('Same study: image 0 (DX LATERAL)');
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe(pa);
    await context.close();
  });

  it('searches, opens, drafts, edits and sends the report as an SR that Orthanc stores in the image study, then signed as a final SR replacing it; every request stays on the app origin with no credential in a URL or log', async () => {
    context = await browser.newContext({ acceptDownloads: true });
    const { requests } = recordRequests(context);
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(baseURL);
    await waitForModel(page);

    await signIn(page, server.password);
    await search(page, { patientId: 'PID-1' });
    const rows = page.getByRole('table', { name: 'Studies found' }).locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    expect(await rows.first().textContent()).toContain('ACC1');
    await page.getByRole('button', { name: 'Open study ACC1' }).click();

    // Two DX images in that study, the frontal view listed first though the lateral has the lower
    // Instance Number (the view comes from the QIDO answer): the PA, the only frontal view,
    // opens by itself; the lateral stays listed.
    const images = page.getByRole('list', { name: 'Images in the study' }).getByRole('button', { name: /^Open image/ });
    await expect.poll(() => images.count(), { timeout: 30_000 }).toBe(2);
    const first = await tagsOf(ids['dcm-mono2-explicit.dcm']!.instance);
    expect(await images.nth(0).getAttribute('data-sop-uid')).toBe(first.SOPInstanceUID);
    expect(await images.evaluateAll((b) => b.map((e) => e.textContent))).toEqual([expect.stringMatching(/^Open image \d+ \(DX PA\b/), 'Open image 0 (DX LATERAL)']);
    const fileName = `DX-${first.SOPInstanceUID}.dcm`;
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, fileName, { timeout: 60_000 });

    await setSettings(page, { temperature: 0, maxNewTokens: 8 });
    const generate = page.getByRole('button', { name: 'Generate report' });
    await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
    await generate.click();
    await waitForIdle(page);
    const edited = 'EDITED: No focal consolidation. Heart size normal.\nImpression: no acute disease.';
    await page.getByRole('textbox', { name: 'Report', exact: true }).fill(edited);

    const send = page.getByTestId('send-report');
    const downloadP = page.waitForEvent('download');
    await send.getByRole('button', { name: 'Download SR (.dcm)' }).click();
    const download: Download = await downloadP;
    const downloaded = new Uint8Array(readFileSync((await download.path())!));

    await send.getByRole('button', { name: 'Send to PACS' }).click();
    const done = page.getByTestId('send-done');
    await done.waitFor({ timeout: 30_000 });
    const sop = /SOP Instance UID ([\d.]+)/.exec((await done.textContent()) ?? '')?.[1];
    expect(sop).toBeTruthy();

    // Read it back from Orthanc: same study, new series, SR with the edited text and the references.
    const found = await orthanc.findInstance(sop!);
    expect(found).toHaveLength(1);
    const stored = await tagsOf(found[0]!);
    expect(stored.StudyInstanceUID).toBe(first.StudyInstanceUID);
    expect(stored.SeriesInstanceUID).not.toBe(first.SeriesInstanceUID);
    expect(stored.Modality).toBe('SR');
    expect(stored.PatientID).toBe('PID-1');
    const dump = dsrdump(await orthanc.getBytes(`/instances/${found[0]}/file`), 'stored.dcm');
    expect(dump).toMatch(/Completion Flag\s*:\s*PARTIAL/);
    expect(dump).toMatch(/Verification Flag\s*:\s*UNVERIFIED/);
    expect(dump).toContain('EDITED: No focal consolidation. Heart size normal.');
    expect(dump).toContain('Impression: no acute disease.');
    expect(dump).toContain(`<inferred from IMAGE:=(SC image,"${first.SOPInstanceUID}")>`);
    expect(dump).toMatch(/Device Observer Name"\)="[^"]+"/);
    expect(dump).toContain('random weights'); // the tiny test model is never passed off as a reading
    // The download is the same report (its own UIDs).
    expect(dsrdump(downloaded, 'download.dcm')).toContain('EDITED: No focal consolidation.');

    // The reader signs it and sends it again: a final SR verified by them, replacing the draft.
    expect(await send.getByTestId('send-kind').textContent()).toBe(
      'Goes as a preliminary, unverified AI draft; sign the report to send it as final. It replaces the report sent before for this image (named as its predecessor).',
    );
    await page.getByRole('button', { name: 'Sign report…' }).click();
    const form = page.getByRole('form', { name: 'Sign the report' });
    await form.getByLabel('Given name').fill('Jane');
    await form.getByLabel('Family name').fill('Doe');
    await form.getByLabel('Organization').fill('St Example Hospital');
    await form.getByRole('button', { name: 'Sign as Jane Doe' }).click();
    await page.getByTestId('report-signed').waitFor();
    expect(await send.getByTestId('send-edited').textContent()).toMatch(/^Changed since it was sent \(the text, the measurements or the signature\)/);
    expect(await send.getByTestId('send-kind').textContent()).toMatch(/^Goes as your final report: Signed by Jane Doe \(St Example Hospital\), /);
    await send.getByRole('button', { name: 'Send to PACS' }).click();
    await page.waitForFunction((old) => {
      const t = document.querySelector('[data-testid="send-done"]')?.textContent ?? '';
      return t.includes('a signed, final SR') && !t.includes(old);
    }, sop!);
    const signedSop = /SOP Instance UID ([\d.]+)/.exec((await done.textContent()) ?? '')?.[1];
    const signedFound = await orthanc.findInstance(signedSop!);
    expect(signedFound).toHaveLength(1);
    const signedBytes = await orthanc.getBytes(`/instances/${signedFound[0]}/file`);
    const signedDump = dsrdump(signedBytes, 'signed-stored.dcm');
    expect(signedDump).toMatch(/Completion Flag\s*:\s*COMPLETE/);
    expect(signedDump).toMatch(/Verification Flag\s*:\s*VERIFIED/);
    expect(signedDump).toMatch(/Preliminary Flag\s*:\s*FINAL/);
    expect(signedDump).toMatch(/Verifying Observers\s*:\s*[\d-]+ [\d:]+, Doe\^Jane, St Example Hospital/);
    expect(signedDump).toContain('<has obs context PNAME:(121008,DCM,"Person Observer Name")="Doe^Jane">');
    expect(signedDump).toContain('EDITED: No focal consolidation. Heart size normal.');
    const signedTags = await tagsOf(signedFound[0]!);
    expect(signedTags.StudyInstanceUID).toBe(first.StudyInstanceUID);
    expect(JSON.stringify(signedTags.PredecessorDocumentsSequence)).toContain(sop!);
    expect(dciodvfyErrors(signedBytes, 'signed-stored-check.dcm')).toEqual([]);

    // Privacy: only the app's origin was asked (Orthanc only through its proxy), never with the
    // password or a credential in a URL, and nothing logged carries them.
    const app = new URL(baseURL).origin;
    const elsewhere = requests.filter((r) => requestOrigin(r.url) !== null && requestOrigin(r.url) !== app).map((r) => r.url);
    expect(elsewhere).toEqual([]);
    expect(requests.some((r) => new URL(r.url).pathname.startsWith('/dicomweb/studies'))).toBe(true);
    expect(await credentialLeaks({ auth: { kind: 'basic', user: server.user, password: server.password }, requests, logs, page })).toEqual([]);
    // The storage dump reads what the page keeps: the draft was saved there, without the credentials.
    expect(await keptInPage(page)).toContain('EDITED');
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it("files a dropped DICOM file's report in that image's own study, says why a PNG cannot be filed, and turns the study's worklist rows sent at once, then 'edited since sent'", async () => {
    const STUDY = '1.2.826.0.1.3680043.9.7433.2.108';
    const SOP = '1.2.826.0.1.3680043.9.7433.1.108';
    // The image as a CD or a shared folder gives it: the header the server has, dropped as a file.
    const dropped = await modified(ids['dcm-mono2-explicit.dcm']!.instance, {
      PatientID: 'PID-8',
      PatientName: 'Dropped^File',
      AccessionNumber: 'ACC8',
      StudyInstanceUID: STUDY,
      SeriesInstanceUID: '1.2.826.0.1.3680043.9.7433.3.108',
      SOPInstanceUID: SOP,
    });
    await orthanc.upload(dropped);
    context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(baseURL);
    await setSettings(page, { temperature: 0, maxNewTokens: 4 });
    await openPanel(page, 'worklist');
    await page.getByLabel('Add files to the worklist').setInputFiles([
      { name: 'from-cd.dcm', mimeType: 'application/dicom', buffer: Buffer.from(dropped) },
      { name: 'gray8.png', mimeType: 'image/png', buffer: fixture('gray8.png') },
    ]);
    const list = page.getByRole('list', { name: 'Worklist studies' }).locator('li');
    const states = () => list.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    await page.waitForFunction(() => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === 'from-cd.dcm', undefined, { timeout: 60_000 });

    // The same study found on the server and put on the list too: one study, two rows.
    await signIn(page, server.password);
    await search(page, { patientId: 'PID-8' });
    await page.getByRole('button', { name: 'Add all 1 to the worklist' }).click();
    await expect.poll(() => list.count(), { timeout: 10_000 }).toBe(3);

    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    await report.fill('Dropped file: no acute disease.');
    const send = page.getByTestId('send-report');

    // The reader takes the cardiothoracic ratio: the SR and the FHIR report carry both widths and
    // the ratio as data, as the viewer shows them.
    const { at } = await imageOnPage(page);
    await page.getByTestId('viewport').focus();
    await page.keyboard.press('c');
    await dragOn(page, at(0.35, 0.6), at(0.7, 0.6));
    await dragOn(page, at(0.1, 0.55), at(0.9, 0.55));
    const drawn = page.getByTestId('measurement');
    await expect.poll(() => drawn.count()).toBe(2);
    const [heartMm, chestMm] = (await drawn.evaluateAll((els) => els.map((e) => e.getAttribute('data-length')))).map((l) => /^([\d.]+) mm$/.exec(l ?? '')![1]!);
    const ratio = /Cardiothoracic ratio (0\.\d\d)\./.exec((await page.getByTestId('cardiothoracic-ratio').textContent()) ?? '')![1]!;
    await expect.poll(() => send.getByTestId('send-measurements').textContent()).toBe('Includes 2 lengths and the cardiothoracic ratio you drew, as structured measurements.');
    const [fhirDownload] = (await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export FHIR', exact: true }).click()])) as [Download, unknown];
    const fhir = JSON.parse(readFileSync((await fhirDownload.path())!, 'utf8')) as { contained: { id: string; valueQuantity: { value: number; code: string } }[] };
    expect(fhir.contained.map((o) => [o.id, o.valueQuantity.value, o.valueQuantity.code])).toEqual([
      ['length-1', Number(heartMm), 'mm'],
      ['length-2', Number(chestMm), 'mm'],
      ['cardiothoracic-ratio', Number(ratio), '{ratio}'],
    ]);
    // So does the printed sheet, after the report.
    expect(await page.getByTestId('print-measurements').locator('li').allTextContents()).toEqual([`Heart width ${heartMm} mm`, `Chest width ${chestMm} mm`, `Cardiothoracic ratio ${ratio}`]);

    // The reader turns the image right and inverts it: the lengths' presentation state shows it so.
    await page.getByTestId('viewport').focus();
    await page.keyboard.press(']');
    await page.keyboard.press('i');
    await expect.poll(() => page.getByTestId('viewport').getAttribute('data-rotation')).toBe('90');
    await expect.poll(() => send.getByTestId('send-presentation').textContent()).toBe(
      'The 2 lengths also go as a presentation state, which PACS viewers draw on the image, shown in the window, turn and inversion you have now.',
    );
    const windowShown = [await page.getByTestId('viewport').getAttribute('data-window-center'), await page.getByTestId('viewport').getAttribute('data-window-width')];

    const downloadP = page.waitForEvent('download');
    await send.getByRole('button', { name: 'Download SR (.dcm)' }).click();
    const downloaded = new Uint8Array(readFileSync((await (await downloadP).path())!));
    await send.getByRole('button', { name: 'Send to PACS' }).click();
    const done = page.getByTestId('send-done');
    await done.waitFor({ timeout: 30_000 });
    // Both rows of the study say so at once: the open file's and the server study's.
    await expect.poll(async () => (await states()).filter((_, i) => i !== 1), { timeout: 5_000, interval: 100 }).toEqual(['sent', 'sent']);

    // Orthanc filed it with the image: same study and patient, a new series, pointing at the image.
    const sop = /SOP Instance UID ([\d.]+)/.exec((await done.textContent()) ?? '')?.[1];
    const found = await orthanc.findInstance(sop!);
    expect(found).toHaveLength(1);
    const stored = await tagsOf(found[0]!);
    expect(stored).toMatchObject({ StudyInstanceUID: STUDY, PatientID: 'PID-8', PatientName: 'Dropped^File', AccessionNumber: 'ACC8', Modality: 'SR' });
    // The image's series, the SR's and the presentation state's.
    expect((await orthanc.get<{ Series: string[] }>(`/instances/${found[0]}/study`)).Series).toHaveLength(3);
    const bytes = await orthanc.getBytes(`/instances/${found[0]}/file`);
    const dump = dsrdump(bytes, 'dropped-stored.dcm');
    expect(dump).toContain('Dropped file: no acute disease.');
    // The image as the reader had it: through the presentation state sent with the SR.
    const prUid = /presentation state \(SOP Instance UID ([\d.]+)\)/.exec((await done.textContent()) ?? '')?.[1];
    const through = `IMAGE:=(SC image,"${SOP}"),(GSPS,"${prUid}")`;
    expect(dump).toContain(`<inferred from ${through}>`);
    expect(dump).toMatch(/Verification Flag\s*:\s*UNVERIFIED/);
    expect(dump).toMatch(/^Enhanced SR Document/m);
    expect(dump).toContain(`<contains CONTAINER:(125007,DCM,"Measurement Group")=SEPARATE>\n      <contains NUM:(410668003,SCT,"Length")="${heartMm}" (mm,UCUM,"millimeter")>\n        <has concept mod CODE:(363698007,SCT,"Finding Site")=(80891009,SCT,"Heart structure")>`);
    expect(dump).toContain(`<contains NUM:(410668003,SCT,"Length")="${chestMm}" (mm,UCUM,"millimeter")>\n        <has concept mod CODE:(363698007,SCT,"Finding Site")=(51185008,SCT,"Thoracic structure")>`);
    expect(dump).toContain(`<contains NUM:(CTR,99CXRLLAVAWEB,"Cardiothoracic ratio")="${ratio}" ({ratio},UCUM,"ratio")>`);
    expect(dump.match(/<selected from IMAGE:=[^>]*>/g)).toEqual([`<selected from ${through}>`, `<selected from ${through}>`]);
    expect(dciodvfyErrors(bytes, 'dropped-stored.dcm')).toEqual([]);
    expect(dsrdump(downloaded, 'dropped-download.dcm')).toContain(`<inferred from IMAGE:=(SC image,"${SOP}")>`);

    // The presentation state went with it: the same two lines as the SR's polylines, labelled as
    // the viewer labels them, in the window, turn and inversion on screen; dcmtk renders it turned.
    const [pr] = await orthanc.findInstance(prUid!);
    expect(await tagsOf(pr!)).toMatchObject({ StudyInstanceUID: STUDY, PatientID: 'PID-8', Modality: 'PR', ImageRotation: '90', PresentationLUTShape: 'INVERSE' });
    const prPath = join(dir, 'dropped-pr.dcm');
    writeFileSync(prPath, await orthanc.getBytes(`/instances/${pr}/file`));
    const srPath = join(dir, 'dropped-stored.dcm');
    const polylines = (path: string) => [...execFileSync('dcmdump', ['+P', '0070,0022', path]).toString().matchAll(/FL ([^\s#]+)/g)].map((m) => m[1]);
    expect(polylines(prPath)).toEqual(polylines(srPath));
    expect(polylines(prPath)).toHaveLength(2);
    const prDump = execFileSync('dcmdump', ['+P', '0070,0006', '+P', '0028,1050', '+P', '0028,1051', prPath]).toString();
    expect([...prDump.matchAll(/ST \[([^\]]*)\]/g)].map((m) => m[1])).toEqual([`Heart width ${heartMm} mm`, `Chest width ${chestMm} mm`, `Cardiothoracic ratio ${ratio}`]);
    expect([/\(0028,1050\) DS \[([^\]]+)\]/.exec(prDump)![1], /\(0028,1051\) DS \[([^\]]+)\]/.exec(prDump)![1]].map(Number)).toEqual(windowShown.map(Number));
    expect(dciodvfyErrors(readFileSync(prPath), 'dropped-pr-check.dcm')).toEqual([]);
    const imagePath = join(dir, 'dropped-image.dcm');
    writeFileSync(imagePath, await orthanc.getBytes(`/instances/${(await orthanc.findInstance(SOP))[0]}/file`));
    execFileSync('dcmp2pgm', ['-p', prPath, imagePath, join(dir, 'dropped.pgm')]);
    const rendered = readFileSync(join(dir, 'dropped.pgm'));
    const image = await tagsOf((await orthanc.findInstance(SOP))[0]!);
    expect(/^P5\s+(\d+)\s+(\d+)/.exec(rendered.subarray(0, 24).toString('latin1'))!.slice(1).map(Number)).toEqual([Number(image.Rows), Number(image.Columns)]);

    // A dropped file's priors are looked up when asked: the server holds no other study of PID-8.
    await openPanel(page, 'priors');
    await page.getByRole('button', { name: 'Look up prior studies' }).click();
    await page.getByText('No other studies of this patient on the server.').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('prior-studies').locator('p.muted').first().textContent()).toBe('Patient ID PID-8, on the hospital server. Look again');
    // With them, the lengths filed with the image: the presentation state just sent, read back,
    // holds the reader's own two lengths, so none is drawn twice.
    const filed = page.getByTestId('filed-lengths');
    await expect.poll(() => filed.locator('span').first().textContent(), { timeout: 30_000 }).toMatch(
      new RegExp(`^Filed with this image on the server: Drawn \\d{4}-\\d\\d-\\d\\d \\(READER_LENGTHS\\): Heart width ${heartMm} mm, Chest width ${chestMm} mm, Cardiothoracic ratio ${ratio}\\. All are yours too\\.$`),
    );
    expect(await page.getByTestId('viewport').getByTestId('filed-measurement').count()).toBe(0);

    // An edit after sending: the server holds the older text, and the row and the panel say so.
    await report.fill('Dropped file: no acute disease. Addendum: old rib fracture.');
    await expect.poll(async () => (await states())[0], { timeout: 5_000, interval: 100 }).toBe('sent-edited');
    expect(await list.first().getByTestId('worklist-state').textContent()).toBe('edited since sent');
    await send.getByTestId('send-edited').waitFor({ timeout: 5_000 });
    // A critical finding written into the report shows on its row until its communication is documented.
    await report.fill('Dropped file: small left apical pneumothorax. Addendum: old rib fracture.');
    await expect.poll(() => list.first().getByTestId('worklist-critical').textContent(), { timeout: 5_000 }).toBe('critical: pneumothorax');
    await report.fill('Dropped file: small left apical pneumothorax, discussed with Dr Lee. Addendum: old rib fracture.');
    await expect.poll(() => list.first().getByTestId('worklist-critical').count(), { timeout: 5_000 }).toBe(0);

    // The PNG opens, but its report cannot be filed in a study, and the panel says why.
    await page.keyboard.press('Alt+ArrowDown');
    await page.waitForFunction(() => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === 'gray8.png', undefined, { timeout: 60_000 });
    await report.fill('A PNG report.');
    // One line says so (no buttons that could never work); the why is a click away.
    const blocked = send.getByTestId('send-blocked');
    await expect.poll(() => blocked.locator('summary').textContent(), { timeout: 5_000 }).toBe(
      'Cannot be sent to PACS. A PNG file has no patient, study or image identifiers, so its report cannot be filed in a study.',
    );
    await blocked.locator('summary').click();
    expect(await blocked.locator('p').isVisible()).toBe(true);
    expect(await blocked.locator('p').textContent()).toMatch(/unmatched orphan.*Open the image from the hospital server, or its DICOM file/);
    expect(await send.getByRole('button').count()).toBe(0);
    expect((await states())[0]).toBe('sent-edited');
    // Critical first: the row whose report names free air goes to the top, and Previous stops there.
    await report.fill('Free air under the diaphragm.');
    await expect.poll(() => list.nth(1).getByTestId('worklist-critical').textContent(), { timeout: 5_000 }).toBe('critical: pneumoperitoneum');
    expect(await page.getByTestId('worklist-critical-count').textContent()).toBe('1 possibly critical');
    const critical = page.getByRole('button', { name: 'Critical first' });
    await critical.click();
    expect(await critical.getAttribute('aria-pressed')).toBe('true');
    expect([await list.first().getAttribute('aria-current'), await list.first().getByTestId('worklist-critical').count()]).toEqual(['true', 1]);
    expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await critical.click();
    expect(await list.nth(1).getAttribute('aria-current')).toBe('true');
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});

describe('worklist: several studies, drafted in the background one at a time', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());

  it('lists dropped files with their state, drafts the ones not open, and moves with Alt+Down / Alt+Up keeping each draft', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(baseURL);
    await setSettings(page, { temperature: 0, maxNewTokens: 6 });
    const names = ['dcm-mono2-explicit.dcm', 'dcm-mono1.dcm', 'gray8.png'];
    await openPanel(page, 'worklist');
    await page.getByLabel('Add files to the worklist').setInputFiles(names.map((n) => fileURLToPath(new URL(`./fixtures/imaging/${n}`, import.meta.url))));
    const list = page.getByRole('list', { name: 'Worklist studies' }).locator('li');
    await expect.poll(() => list.count(), { timeout: 10_000 }).toBe(3);
    const states = () => list.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    const current = () => list.evaluateAll((els) => els.findIndex((e) => e.getAttribute('aria-current') === 'true'));
    // The first opens at once, like a dropped file.
    await page.waitForFunction(() => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === 'dcm-mono2-explicit.dcm', undefined, { timeout: 60_000 });
    expect(await current()).toBe(0);

    await waitForModel(page);
    // The other two get drafts in the background while the first is on screen, untouched.
    await expect.poll(states, { timeout: 240_000, interval: 500 }).toEqual(['new', 'draft-ready', 'draft-ready']);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    expect(await report.inputValue()).toBe('');

    // Alt+Down opens the second with its draft; editing marks it edited.
    await page.keyboard.press('Alt+ArrowDown');
    await page.waitForFunction(() => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === 'dcm-mono1.dcm', undefined, { timeout: 60_000 });
    expect(await current()).toBe(1);
    await report.fill('Edited second study.');
    await expect.poll(async () => (await states())[1], { timeout: 10_000 }).toBe('edited');
    // Now the first is not open, so it gets its draft in the background too.
    await expect.poll(states, { timeout: 240_000, interval: 500 }).toEqual(['draft-ready', 'edited', 'draft-ready']);

    // Back to the first and forth again: the second's edit is kept (drafts, as for any study).
    await page.keyboard.press('Alt+ArrowUp');
    await page.waitForFunction(() => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === 'dcm-mono2-explicit.dcm', undefined, { timeout: 60_000 });
    await page.keyboard.press('Alt+ArrowDown');
    await page.waitForFunction(() => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === 'dcm-mono1.dcm', undefined, { timeout: 60_000 });
    await expect.poll(() => report.inputValue(), { timeout: 30_000 }).toBe('Edited second study.');

    // Dropping files of several studies anywhere adds them all and opens the first (a single
    // file, or one study's files, open in the viewer alone).
    const dropped = ['gray.jpg', 'gray16.png'].map((n) => ({ name: n, bytes: [...fixture(n)] }));
    await page.evaluate((files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.name.endsWith('.png') ? 'image/png' : 'image/jpeg' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, dropped);
    await expect.poll(() => list.count(), { timeout: 10_000 }).toBe(5);
    await page.waitForFunction(() => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === 'gray.jpg', undefined, { timeout: 60_000 });
    expect(await current()).toBe(3);
    // Two studies go to the worklist only: the intake did not also open them as one set.
    expect(await page.getByTestId('intake-choice').count()).toBe(0);
    expect(await page.getByTestId('worklist-count').textContent()).toBe(', 5 studies');
    expect(await page.getByTestId('intake-error').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 420_000);
});
