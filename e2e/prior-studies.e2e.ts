import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildLengthsPresentationState } from '../src/sr/lengths-presentation-state';
import { buildReportSr } from '../src/sr/report-sr';
import { srSourceFromDicom } from '../src/sr/source';
import { axeAudit } from './support/axe';
import { launchBrowser } from './support/browser';
import { searchStudies as search, signIn as signInAs } from './support/dicomweb';
import { orthancRest } from './support/orthanc';
import { openPanel, setSettings } from './support/reading-room';
import { canvasStats } from './support/viewport';

/**
 * Prior studies against a real Orthanc (started by global-setup, reached through the preview
 * server's /dicomweb proxy): a patient of its own (PID-30), so no other test's studies are in the list.
 */
const baseURL = inject('baseURL');
const server = inject('orthanc');
const orthanc = orthancRest(server.url, server.authorization);
const modified = (id: string, replace: Record<string, string>) => orthanc.modified(id, replace);
const signIn = (page: Parameters<typeof signInAs>[0], password: string) => signInAs(page, { kind: 'basic', user: server.user, password });

/** Study, series and instance UIDs of one test object, numbered. */
const uids = (n: string) => ({
  StudyInstanceUID: `1.2.826.0.1.3680043.9.7433.2.${n}`,
  SeriesInstanceUID: `1.2.826.0.1.3680043.9.7433.3.${n}`,
  SOPInstanceUID: `1.2.826.0.1.3680043.9.7433.1.${n}`,
});

const PATIENT = 'PID-30';
const CURRENT = { PatientID: PATIENT, AccessionNumber: 'ACC30', ...uids('300') };

/** The PA fixture stored as the study read today (the fixture itself is PID-1's, as other tests store it); its Orthanc id. */
async function opened(c: typeof CURRENT): Promise<string> {
  const { instance } = await orthanc.upload(new Uint8Array(readFileSync(fileURLToPath(new URL('./fixtures/imaging/dcm-mono2-explicit.dcm', import.meta.url)))));
  return (await orthanc.upload(await modified(instance, c))).instance;
}

describe('prior studies', () => {
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());

  it("lists the patient's prior studies with the reports filed in them, puts a comparison into the report, and opens a prior", async () => {
    // The study read today, a prior PA from 2023 with a report in it, and a later study of 2025 with none.
    const pa = await opened(CURRENT);
    const prior = await modified(pa, {
      ...uids('301'),
      StudyDate: '20230115',
      StudyDescription: 'Chest PA',
      AccessionNumber: 'ACC-P1',
    });
    const priorId = (await orthanc.upload(prior)).instance;
    const priorSr = buildReportSr({
      source: srSourceFromDicom(prior.slice().buffer),
      text: 'Findings: Heart size normal. Small left pleural effusion.\nImpression: Small left pleural effusion.',
      device: { name: 'CXR-LLaVA v2 (q4f16_1)', modelId: 'cxr-llava-v2', randomWeights: false, softwareVersion: 'test' },
      now: new Date(2023, 0, 15, 10, 30, 0),
    });
    await orthanc.upload(priorSr.bytes);
    // The cardiothoracic ratio the reader drew on the prior, filed as a presentation state.
    const priorLengthsInput: Parameters<typeof buildLengthsPresentationState>[0] = {
      source: srSourceFromDicom(prior.slice().buffer),
      image: { width: 96, height: 96, slope: 1, intercept: 0, pixelSpacing: [0.139, 0.139], meta: [] },
      segments: [
        { a: { x: 30, y: 50 }, b: { x: 60, y: 50 }, role: 'heart' },
        { a: { x: 10, y: 60 }, b: { x: 86, y: 60 }, role: 'chest' },
      ],
      // Filed as the reader had it: windowed, inverted, turned right.
      view: { window: { center: 100, width: 150 }, invert: true, axes: { x: { x: 0, y: 1 }, y: { x: -1, y: 0 } } },
      softwareVersion: 'test',
      now: new Date(2023, 0, 15, 10, 40, 0),
    };
    await orthanc.upload(buildLengthsPresentationState(priorLengthsInput).bytes);
    // Sent again later, the same lengths: drawn once, listed twice.
    await orthanc.upload(buildLengthsPresentationState({ ...priorLengthsInput, now: new Date(2023, 0, 16, 9, 0, 0) }).bytes);
    // And an object in a PR series that is no presentation state: counted and said, not passed over.
    await orthanc.upload(await modified(priorId, { Modality: 'PR', SeriesInstanceUID: uids('3011').SeriesInstanceUID, SOPInstanceUID: uids('3011').SOPInstanceUID }));
    await orthanc.upload(
      await modified(pa, {
        ...uids('302'),
        StudyDate: '20250301',
        StudyDescription: 'Chest follow-up',
        AccessionNumber: 'ACC-P2',
      }),
    );
    // An old study with no radiograph in it (a scanned form, say).
    await orthanc.upload(
      await modified(pa, {
        Modality: 'OT',
        ...uids('304'),
        StudyDate: '20220601',
        StudyDescription: 'Scanned request',
      }),
    );
    // And in it, filed as SR, an object that is no structured report.
    await orthanc.upload(
      await modified(pa, {
        Modality: 'SR',
        ...uids('3041'),
        StudyInstanceUID: uids('304').StudyInstanceUID,
        StudyDate: '20220601',
      }),
    );
    // Another patient's study is never listed.
    await orthanc.upload(await modified(pa, { PatientID: 'PID-30X', ...uids('303') }));

    context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(baseURL);
    await setSettings(page, { temperature: 0, maxNewTokens: 4 });
    await signIn(page, server.password);
    await search(page, { patientId: PATIENT });
    await page.getByRole('button', { name: 'Open study ACC30' }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, `DX-${CURRENT.SOPInstanceUID}.dcm`, { timeout: 60_000 });

    // Opened from the server: its patient's other studies are looked up at once, newest first, the open one left out.
    await expect.poll(() => page.getByTestId('priors-count').textContent(), { timeout: 30_000 }).toBe(', 3 studies');
    await openPanel(page, 'priors');
    const priors = page.getByRole('list', { name: 'Prior studies of this patient' }).locator(':scope > li');
    expect(await priors.evaluateAll((li) => li.map((e) => e.getAttribute('data-study-uid')))).toEqual([
      uids('302').StudyInstanceUID,
      uids('301').StudyInstanceUID,
      uids('304').StudyInstanceUID,
    ]);
    expect(await priors.nth(0).locator('.prior-row > span').first().textContent()).toBe('2025-03-01 DX Chest follow-up (later than the open study)');
    expect(await priors.nth(1).locator('.prior-row > span').first().textContent()).toBe('2023-01-15 DX, PR, SR Chest PA');

    // The prior's report, read from its SR on the server.
    await page.getByRole('button', { name: 'Reports of the study of 2023-01-15 DX' }).click();
    const report = priors.nth(1).getByTestId('prior-report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-status')).toBe('preliminary');
    expect(await report.locator('p').textContent()).toBe('Diagnostic imaging report, 2023-01-15 — preliminary, by CXR-LLaVA v2 (q4f16_1)');
    expect(await report.locator('pre').textContent()).toMatch(/^Findings: Heart size normal\. Small left pleural effusion\.\nImpression: Small left pleural effusion\.\nComment: Preliminary draft written by an AI model/);
    // The open study's own reports: none yet; then one filed meanwhile (a colleague's draft, say), read when shown again.
    const own = page.getByRole('button', { name: 'Reports already filed in this study' });
    await own.click();
    await page.getByTestId('own-reports').getByText('No report is filed in this study.').waitFor({ timeout: 30_000 });
    await own.click();
    const today = await orthanc.get<Record<string, string>>(`/instances/${pa}/simplified-tags`);
    expect(today.SOPInstanceUID).toBe(CURRENT.SOPInstanceUID);
    await orthanc.upload(
      buildReportSr({
        source: srSourceFromDicom((await orthanc.getBytes(`/instances/${pa}/file`)).slice().buffer),
        text: 'Findings: filed earlier today.',
        device: { name: 'CXR-LLaVA v2 (q4f16_1)', modelId: 'cxr-llava-v2', randomWeights: false, softwareVersion: 'test' },
        now: new Date(2024, 0, 31, 8, 0, 0),
        signature: { reader: { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' }, at: new Date(2024, 0, 31, 8, 5, 0).getTime() },
        indication: 'Post line placement; ? pneumothorax',
      }).bytes,
    );
    await own.click();
    await expect
      .poll(() => page.getByTestId('own-reports').getByTestId('prior-report').locator('pre').textContent(), { timeout: 30_000 })
      .toMatch(/^Indications for Procedure:\nPost line placement; \? pneumothorax\nFindings: filed earlier today\./);
    // That report was this app's, signed (on another workstation, say): the reader goes on from it
    // as its amendment, and what they had typed here stays under Earlier versions.
    expect(await page.getByTestId('own-reports').getByTestId('prior-report').locator('p').first().textContent()).toMatch(/final, signed by Dr Jane Doe$/);
    const reportBox = page.getByRole('textbox', { name: 'Report', exact: true });
    await reportBox.fill('My own start.');
    await page.getByTestId('own-reports').getByRole('button', { name: 'Continue from this report' }).click();
    expect(await reportBox.inputValue()).toBe('Findings: filed earlier today.');
    // Its reason for the study comes with it (the file has none).
    expect(await page.getByRole('textbox', { name: 'Reason for the study' }).inputValue()).toBe('Post line placement; ? pneumothorax');
    expect(await page.getByTestId('report-amending').textContent()).toBe('Amending the report signed by Dr Jane Doe (St Example Hospital), 2024-01-31 08:05; sign it again when done.');
    expect(await page.getByTestId('send-kind').textContent()).toBe(
      'Goes as a preliminary, unverified AI draft; sign the report to send it as final. It replaces the filed report you went on from (named as its predecessor).',
    );
    expect(await page.getByTestId('own-reports').getByRole('status').textContent()).toBe('It is the report now; what you had is under Earlier versions.');
    expect(await page.getByRole('combobox', { name: 'Earlier versions' }).locator('option').allTextContents()).toEqual(['1 kept', expect.stringMatching(/ · report · My own start\.$/)]);
    await own.click();

    await page.getByRole('button', { name: 'Reports of the study of 2025-03-01 DX' }).click();
    await priors.nth(0).getByText('No report is filed in this study.').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Reports of the study of 2022-06-01 OT' }).click();
    await priors.nth(2).getByText('One SR object in this study could not be read as a report.').waitFor({ timeout: 30_000 });
    // The panel with a report open passes axe's WCAG A/AA rules.
    expect(await axeAudit(page)).toEqual([]);

    // The comparison goes into the report as a line of its own.
    const text = page.getByRole('textbox', { name: 'Report', exact: true });
    // Under the prior's report: what the report on screen names differently from it.
    await text.fill('Heart size normal. No pleural effusion. Small right apical pneumothorax.');
    await expect.poll(() => report.getByTestId('against-report').locator('li').allTextContents(), { timeout: 5_000 }).toEqual([
      'Named now, not mentioned in this report: pneumothorax.',
      'Named in this report, ruled out now: pleural effusion.',
    ]);
    await text.fill('Heart size normal.');
    await expect.poll(() => report.getByTestId('against-report').locator('li').allTextContents(), { timeout: 5_000 }).toEqual([
      'Named in this report, not mentioned now: pleural effusion.',
    ]);
    await page.getByRole('button', { name: 'Add comparison with the study of 2023-01-15 DX to the report' }).click();
    expect(await text.inputValue()).toBe('Heart size normal.\nComparison: DX Chest PA of 2023-01-15.');

    // Compare: the prior's radiograph beside the open one, each in half the pane; the open study stays.
    const mainWidth = async () => Number((await page.getByTestId('viewport').getAttribute('data-image-rect'))!.split(',')[2]);
    const alone = await mainWidth();
    await page.getByRole('button', { name: 'Compare the study of 2023-01-15 DX beside the open image' }).click();
    const priorView = page.getByTestId('prior-viewport');
    await expect.poll(() => priorView.getAttribute('data-has-image'), { timeout: 30_000 }).toBe('true');
    expect(await page.getByTestId('prior-viewer').locator('.prior-viewer-label').textContent()).toBe('Prior: 2023-01-15 · DX · Chest PA · PA');
    expect(await priorView.getAttribute('aria-label')).toMatch(/^Prior radiograph of 2023-01-15 · DX · Chest PA · PA; drag to window\/level/);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="prior-viewport"]')?.dataset.imageRect !== undefined);
    // The lengths filed with the prior are drawn on it (measured with its pixel spacing, 0.139 mm),
    // labelled as filed, and listed with what they wrote.
    const filed = priorView.getByTestId('measurement');
    await expect.poll(() => filed.count(), { timeout: 30_000 }).toBe(2);
    expect(await filed.evaluateAll((els) => els.map((e) => e.getAttribute('data-length')))).toEqual(['4.2 mm', '10.6 mm']);
    expect(await filed.locator('text').allTextContents()).toEqual(['Heart width 4.2 mm', 'Chest width 10.6 mm']);
    expect(await page.getByTestId('prior-lengths').locator('li').allTextContents()).toEqual([
      'Drawn 2023-01-16 (READER_LENGTHS): Heart width 4.2 mm, Chest width 10.6 mm, Cardiothoracic ratio 0.39.',
      'Drawn 2023-01-15 (READER_LENGTHS): Heart width 4.2 mm, Chest width 10.6 mm, Cardiothoracic ratio 0.39.',
      'One presentation state in this study could not be read.',
    ]);
    // The same pixels as the open image (the prior was made from it), drawn with the same default window.
    const [open, shownPrior] = [await canvasStats(page), await canvasStats(page, 'prior-viewport')];
    expect(shownPrior.std).toBeGreaterThan(10);
    expect(Math.abs(shownPrior.mean - open.mean)).toBeLessThan(6);
    await expect.poll(mainWidth, { timeout: 10_000 }).toBeLessThan(alone * 0.75);
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe(`DX-${CURRENT.SOPInstanceUID}.dcm`);
    // Linked, a zoom or a pan of the open image is made on the prior too; unlinked, not.
    const rect = async (id: string) => (await page.getByTestId(id).getAttribute('data-image-rect'))!.split(',').map(Number) as [number, number, number, number];
    const [open0, prior0] = [await rect('viewport'), await rect('prior-viewport')];
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    expect(await page.getByRole('button', { name: 'Link', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('viewport').focus();
    await page.keyboard.press('+');
    await expect.poll(async () => (await rect('prior-viewport'))[2] / prior0[2], { timeout: 5_000 }).toBeCloseTo(1.2, 2);
    expect((await rect('viewport'))[2] / open0[2]).toBeCloseTo(1.2, 2);
    const [open1, prior1] = [await rect('viewport'), await rect('prior-viewport')];
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await rect('prior-viewport'))[0] - prior1[0], { timeout: 5_000 }).toBeCloseTo(20, 0);
    expect((await rect('viewport'))[0] - open1[0]).toBeCloseTo(20, 0);
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    const prior2 = await rect('prior-viewport');
    await page.getByTestId('viewport').focus();
    await page.keyboard.press('+');
    await expect.poll(async () => (await rect('viewport'))[2] / open1[2], { timeout: 5_000 }).toBeCloseTo(1.2, 2);
    expect(await rect('prior-viewport')).toEqual(prior2);
    const zoomedIn = await rect('viewport');
    await page.keyboard.press('f');
    await expect.poll(async () => (await rect('viewport'))[2] < zoomedIn[2], { timeout: 5_000 }).toBe(true);
    // The prior's own keys, with it focused: L links, − zooms both out; I inverts the prior alone.
    const open3 = await rect('viewport');
    await page.getByTestId('prior-viewport').focus();
    await page.keyboard.press('l');
    expect(await page.getByRole('button', { name: 'Link', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const prior3 = await rect('prior-viewport');
    await page.keyboard.press('-');
    await expect.poll(async () => (await rect('viewport'))[2] / open3[2], { timeout: 5_000 }).toBeCloseTo(1 / 1.2, 2);
    expect((await rect('prior-viewport'))[2] / prior3[2]).toBeCloseTo(1 / 1.2, 2);
    await page.keyboard.press('l');
    const mainInvert = await page.getByTestId('viewport').getAttribute('data-invert');
    await page.keyboard.press('i');
    await expect.poll(() => priorView.getAttribute('data-invert'), { timeout: 5_000 }).toBe('true');
    expect(await page.getByTestId('viewport').getAttribute('data-invert')).toBe(mainInvert);
    await page.keyboard.press('i');
    await page.getByTestId('viewport').focus();
    await page.keyboard.press('f');
    await expect.poll(async () => (await rect('viewport'))[2], { timeout: 5_000 }).toBeCloseTo(open3[2], 0);

    expect(await axeAudit(page)).toEqual([]);
    await page.getByRole('button', { name: 'Hide lengths' }).click();
    expect(await filed.count()).toBe(0);
    await page.getByRole('button', { name: 'Close the prior image' }).click();
    expect(await page.getByTestId('prior-viewer').count()).toBe(0);
    await expect.poll(mainWidth, { timeout: 10_000 }).toBeCloseTo(alone, 0);
    // Compared again, then another image opened: the prior is never shown beside another study.
    await page.getByRole('button', { name: 'Compare the study of 2025-03-01 DX beside the open image' }).click();
    await expect.poll(() => priorView.getAttribute('data-has-image'), { timeout: 30_000 }).toBe('true');
    // None were filed with this one.
    await expect.poll(() => priorView.getAttribute('data-lengths'), { timeout: 30_000 }).toBe('done');
    expect([await filed.count(), await page.getByTestId('prior-lengths').count()]).toEqual([0, 0]);

    // A prior with no radiograph says so where it was asked for, and the open image stays.
    await page.getByRole('button', { name: 'Open the images of the study of 2022-06-01 OT' }).click();
    await expect.poll(() => priors.nth(2).getByRole('alert').textContent(), { timeout: 30_000 }).toBe(
      'This study has no CR or DX image (it has SR, OT); the assistant reads chest radiographs only.',
    );
    expect(await page.locator('[data-testid="metadata"] [data-field="file"]').textContent()).toBe(`DX-${CURRENT.SOPInstanceUID}.dcm`);

    // Open: the prior's image in the viewer; its own priors are then the other three studies.
    await page.getByRole('button', { name: 'Open the images of the study of 2023-01-15 DX' }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="metadata"] [data-field="file"]')?.textContent === n, `DX-${uids('301').SOPInstanceUID}.dcm`, { timeout: 60_000 });
    await expect
      .poll(() => priors.evaluateAll((li) => li.map((e) => e.getAttribute('data-study-uid'))), { timeout: 30_000 })
      .toEqual([uids('302').StudyInstanceUID, CURRENT.StudyInstanceUID, uids('304').StudyInstanceUID]);
    expect(await page.getByTestId('prior-viewer').count()).toBe(0);

    // The lengths filed with it are drawn apart from the reader's own, and can be hidden or taken as the reader's.
    const filedOnOpen = page.getByTestId('viewport').getByTestId('filed-measurement');
    await expect.poll(() => filedOnOpen.count(), { timeout: 30_000 }).toBe(2);
    expect(await filedOnOpen.locator('text').allTextContents()).toEqual(['Heart width 4.2 mm', 'Chest width 10.6 mm']);
    const filedLegend = page.getByTestId('filed-lengths');
    expect(await filedLegend.locator('span').first().textContent()).toBe(
      'Filed with this image on the server: Drawn 2023-01-16 (READER_LENGTHS): Heart width 4.2 mm, Chest width 10.6 mm, Cardiothoracic ratio 0.39. ' +
        'Drawn 2023-01-15 (READER_LENGTHS): Heart width 4.2 mm, Chest width 10.6 mm, Cardiothoracic ratio 0.39. ' +
        'One presentation state in this study could not be read.',
    );
    await filedLegend.getByRole('button', { name: 'Hide filed' }).click();
    expect(await filedOnOpen.count()).toBe(0);
    await filedLegend.getByRole('button', { name: 'Hide filed' }).click();
    await filedLegend.getByRole('button', { name: 'Use as mine' }).click();
    const adopted = page.getByTestId('viewport').getByTestId('measurement');
    await expect.poll(() => adopted.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-role')} ${e.getAttribute('data-length')}`))).toEqual(['heart 4.2 mm', 'chest 10.6 mm']);
    expect(await page.getByTestId('cardiothoracic-ratio').textContent()).toMatch(/^Cardiothoracic ratio 0\.39\./);
    expect(await filedOnOpen.count()).toBe(0);
    await expect.poll(() => filedLegend.locator('span').first().textContent()).toMatch(/All are yours too\. One presentation state in this study could not be read\.$/);
    expect(await filedLegend.getByRole('button').allTextContents()).toEqual(['Show as filed']);
    // Show as filed: the window, inversion and turn it was filed with; sent again, the same.
    await filedLegend.getByRole('button', { name: 'Show as filed' }).click();
    const viewport = page.getByTestId('viewport');
    await expect.poll(() => Promise.all(['data-window-center', 'data-window-width', 'data-invert', 'data-rotation'].map((a) => viewport.getAttribute(a)))).toEqual(['100', '150', 'true', '90']);
    await page.getByRole('textbox', { name: 'Report', exact: true }).fill('Sent again as shown.');
    await page.getByTestId('send-report').getByRole('button', { name: 'Send to PACS' }).click();
    const again = page.getByTestId('send-done');
    await again.waitFor({ timeout: 30_000 });
    const [resent] = await orthanc.findInstance(/presentation state \(SOP Instance UID ([\d.]+)\)/.exec((await again.textContent()) ?? '')![1]!);
    expect(await orthanc.get<Record<string, string>>(`/instances/${resent}/simplified-tags`)).toMatchObject({ ImageRotation: '90', ImageHorizontalFlip: 'N', PresentationLUTShape: 'INVERSE' });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
