import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkDiagnosticReport, formatIssues } from '../src/report/fhir-check';
import { axeAudit } from './support/axe';
import { launchBrowser, openPage } from './support/browser';
import { closePanel, openPanel, setSettings, waitForIdle, waitForModel } from './support/reading-room';

const baseURL = inject('baseURL');
const SAMPLE = fileURLToPath(new URL('../public/samples/cxr-sample.jpg', import.meta.url));

async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [dl] = (await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()])) as [Download, unknown];
  return { name: dl.suggestedFilename(), text: readFileSync((await dl.path())!, 'utf8') };
}

// What can be done with no image open: typing a report, exporting, printing, drafts, clearing.
// (Generating needs the model and an image: e2e/generate-golden.e2e.ts.)
describe('report export, print, drafts (no image open)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());
  /** A fresh page, its report box ready. */
  const openReportPage = async () => {
    const { page, errors } = await openPage(browser, baseURL);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    await report.waitFor();
    return { page, errors, report };
  };

  it('exports .txt, .md and FHIR, prints only the report, restores the draft after a reload, and clears it', async () => {
    const { page, errors, report } = await openReportPage();
    expect(await page.getByRole('button', { name: 'Findings', exact: true }).isDisabled()).toBe(true);
    const text = 'Mild cardiomegaly. No pleural effusion — “draft” ünïcode.';
    await report.fill(text);

    const txt = await downloaded(page, 'Export .txt');
    expect(txt.name).toMatch(/^cxr-report-\d{4}-\d{2}-\d{2}\.txt$/);
    expect(txt.text).toContain('AI-generated draft — not for clinical use without radiologist review');
    expect(txt.text).toMatch(/Model: /);
    expect(txt.text).toContain(text);

    const md = await downloaded(page, 'Export .md');
    expect(md.text).toMatch(/^# Chest radiograph — Report/);

    const fhir = await downloaded(page, 'Export FHIR');
    expect(fhir.name).toMatch(/\.fhir\.json$/);
    const resource = JSON.parse(fhir.text) as { status: string; conclusion: string; presentedForm: { data: string }[] };
    const check = checkDiagnosticReport(resource);
    expect(formatIssues(check.issues)).toBe('');
    expect(resource.status).toBe('preliminary');
    expect(Buffer.from(resource.presentedForm[0]!.data, 'base64').toString('utf8')).toBe(text);
    expect(resource).not.toHaveProperty('subject');

    // Print: the stylesheet shows the print sheet (banner, header, report) and hides the app.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#root').isVisible()).toBe(false);
    const sheet = page.locator('.print-sheet');
    expect(await sheet.isVisible()).toBe(true);
    expect(await sheet.textContent()).toMatch(/AI-generated draft — not for clinical use without radiologist review[\s\S]*Mild cardiomegaly/);
    await page.emulateMedia({ media: 'screen' });
    expect(await sheet.isVisible()).toBe(false);

    // The draft is saved (debounced) and comes back after a reload, before any image is opened.
    await page.waitForTimeout(1200);
    await page.reload();
    await page.getByTestId('draft-notice').waitFor();
    expect(await page.getByTestId('draft-notice').textContent()).toMatch(/Draft restored from .*Open the same image/);
    expect(await report.inputValue()).toBe(text);

    // Clear all local data (in Settings): confirm, then the report is empty and stays so after a reload.
    await openPanel(page, 'settings');
    await page.getByRole('button', { name: 'Clear all local data…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clear all local data?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete everything' }).click();
    await page.waitForFunction(() => /Deleted all drafts/.test(document.querySelector('[data-testid="clear-data-result"]')?.textContent ?? ''));
    expect(await report.inputValue()).toBe('');
    await page.reload();
    await report.waitFor();
    await page.waitForTimeout(500);
    expect(await report.inputValue()).toBe('');
    expect(await page.getByTestId('draft-notice').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('signs the report: asks who signs, makes it read-only and final in every export, keeps it after a reload, adds an addendum and amends it', async () => {
    const { page, errors, report } = await openReportPage();
    const text = 'No acute cardiopulmonary abnormality.';
    await report.fill(text);

    await page.getByRole('button', { name: 'Sign report…' }).click();
    const form = page.getByRole('form', { name: 'Sign the report' });
    // Escape cancels, the focus back on the button; opened again, the first field has it.
    await page.keyboard.press('Escape');
    expect([await form.count(), await page.evaluate(() => document.activeElement?.textContent)]).toEqual([0, 'Sign report…']);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.closest('label')?.textContent)).toBe('Title');
    expect(await form.getByTestId('sign-problem').textContent()).toBe('Type your family name to sign.');
    expect(await form.getByRole('button', { name: /^Sign as/ }).isDisabled()).toBe(true);
    await form.getByLabel('Title').fill('Dr');
    await form.getByLabel('Given name').fill('Jane');
    await form.getByLabel('Family name').fill('Doe');
    expect(await form.getByTestId('sign-problem').textContent()).toMatch(/Type your organization/);
    await form.getByLabel('Organization').fill('St Example Hospital');
    await form.getByRole('button', { name: 'Sign as Dr Jane Doe' }).click();

    const signed = page.getByTestId('report-signed');
    expect(await signed.textContent()).toMatch(/^Signed by Dr Jane Doe \(St Example Hospital\), \d{4}-\d{2}-\d{2} \d{2}:\d{2}\. Final and read-only\.Add addendumAmend$/);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Add addendum');
    // Read-only: typing into it changes nothing.
    await report.click();
    await page.keyboard.type(' typed after signing');
    expect(await report.inputValue()).toBe(text);
    // Nor does a phrase go in: the menu does not open.
    await page.locator('.phrase-menu summary').click();
    expect([await page.locator('.phrase-menu summary').getAttribute('aria-disabled'), await page.locator('.phrase-menu ul').isVisible()]).toEqual(['true', false]);

    const txt = await downloaded(page, 'Export .txt');
    expect(txt.text).not.toContain('AI-generated draft — not for clinical use');
    expect(txt.text).toMatch(/\nDrafted with an AI model; reviewed and signed by the radiologist named below\nStatus: final\nSigned by: Dr Jane Doe \(St Example Hospital\), [\d-]+ [\d:]+\nModel: /);
    const fhir = JSON.parse((await downloaded(page, 'Export FHIR')).text) as { status: string; resultsInterpreter: unknown; contained: unknown[] };
    expect(formatIssues(checkDiagnosticReport(fhir).issues)).toBe('');
    expect([fhir.status, fhir.resultsInterpreter]).toEqual(['final', [{ reference: '#reader' }]]);
    expect(fhir.contained).toContainEqual({ resourceType: 'Practitioner', id: 'reader', name: [{ text: 'Dr Jane Doe', family: 'Doe', given: ['Jane'], prefix: ['Dr'] }] });
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.print-sheet').textContent()).toMatch(/^Drafted with an AI model; reviewed and signed by the radiologist named below\.[\s\S]*Statusfinal[\s\S]*Signed byDr Jane Doe/);
    await page.emulateMedia({ media: 'screen' });

    // A reload keeps it signed (the draft keeps the signature).
    await page.waitForTimeout(1200);
    await page.reload();
    await signed.waitFor();
    expect(await report.getAttribute('readonly')).toBe('');
    expect(await report.inputValue()).toBe(text);

    // Add addendum: the signed text stays, "Addendum:" follows with the caret after it; the name is
    // remembered; signed again, the report has an addendum (FHIR "appended").
    await page.getByRole('button', { name: 'Add addendum' }).click();
    expect(await report.getAttribute('readonly')).toBeNull();
    expect(await report.inputValue()).toBe(`${text}\n\nAddendum: `);
    expect(await page.getByTestId('report-amending').textContent()).toMatch(/^Amending the report signed by Dr Jane Doe \(St Example Hospital\), /);
    expect(await page.getByRole('combobox', { name: 'Earlier versions' }).textContent()).toContain('signed by Dr Jane Doe · No acute');
    // Signed with nothing after "Addendum:", it would add nothing: the form says so and does not sign.
    await page.keyboard.press('Control+Shift+S');
    expect(await page.getByTestId('sign-problem').textContent()).toMatch(/^The addendum is empty/);
    expect(await page.getByRole('button', { name: 'Sign as Dr Jane Doe' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await report.press('Control+End');
    await page.keyboard.type('no pneumothorax.');
    // From the keyboard: Ctrl+Shift+S opens the form with the remembered name and its Sign button focused; Enter signs.
    await page.keyboard.press('Control+Shift+S');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sign as Dr Jane Doe');
    await page.keyboard.press('Enter');
    const signedAgain = /^Signed by Dr Jane Doe \(St Example Hospital\), [\d-]+ [\d:]+ \(adds an addendum to the report signed by Dr Jane Doe \(St Example Hospital\), [\d-]+ [\d:]+\)\./;
    expect(await signed.textContent()).toMatch(signedAgain);
    const appended = JSON.parse((await downloaded(page, 'Export FHIR')).text) as { status: string; conclusion: string };
    expect([appended.status, appended.conclusion]).toEqual(['appended', `${text}\n\nAddendum: no pneumothorax.`]);
    expect((await downloaded(page, 'Export .txt')).text).toMatch(/\nStatus: final, with addendum\nSigned by: .*\nAddendum to: the report signed by Dr Jane Doe /);

    // Amend, then Cancel amending: the signed report and its signature come back, what was typed is
    // kept under Earlier versions. Amended with nothing changed, signing puts the signature back too.
    const withAddendum = await signed.textContent();
    await page.getByRole('button', { name: 'Amend', exact: true }).click();
    await report.fill('Typed, then dropped.');
    await page.getByRole('button', { name: 'Cancel amending' }).click();
    expect([await signed.textContent(), await report.inputValue()]).toEqual([withAddendum, `${text}\n\nAddendum: no pneumothorax.`]);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Add addendum');
    expect(await page.getByRole('combobox', { name: 'Earlier versions' }).textContent()).toContain('Typed, then dropped.');
    await page.getByRole('button', { name: 'Amend', exact: true }).click();
    await page.keyboard.press('Control+Shift+S');
    expect(await page.getByTestId('sign-unchanged').textContent()).toMatch(/^Nothing has changed since Dr Jane Doe \(St Example Hospital\), [\d-]+ [\d:]+ signed it/);
    await page.keyboard.press('Enter');
    expect(await signed.textContent()).toBe(withAddendum);

    // Amend: a change to the signed text itself; signed again, the report is amended.
    await page.getByRole('button', { name: 'Amend', exact: true }).click();
    await report.fill(`Mild cardiomegaly.\n\nAddendum: no pneumothorax.`);
    await page.keyboard.press('Control+Shift+S');
    await page.keyboard.press('Enter');
    expect(await signed.textContent()).toMatch(/ \(amends the report signed by Dr Jane Doe \(St Example Hospital\), [\d-]+ [\d:]+\)\./);
    const amended = JSON.parse((await downloaded(page, 'Export FHIR')).text) as { status: string };
    expect(amended.status).toBe('amended');

    // Clear all local data forgets the name too.
    await openPanel(page, 'settings');
    await page.getByRole('button', { name: 'Clear all local data…' }).click();
    await page.getByRole('dialog', { name: 'Clear all local data?' }).getByRole('button', { name: 'Delete everything' }).click();
    await page.waitForFunction(() => /Deleted all drafts/.test(document.querySelector('[data-testid="clear-data-result"]')?.textContent ?? ''));
    expect(await signed.count()).toBe(0);
    await report.fill('Another report.');
    await page.getByRole('button', { name: 'Sign report…' }).click();
    expect(await page.getByRole('form', { name: 'Sign the report' }).getByLabel('Family name').inputValue()).toBe('');
    await page.reload();
    await report.waitFor();
    expect(await page.evaluate(() => localStorage.getItem('cxr-llava-settings-v1') ?? '')).not.toContain('Doe');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a critical finding in the report: a reminder until its communication is documented, written into the report from a form', async () => {
    const { page, errors, report } = await openReportPage();
    const reminder = page.getByTestId('critical-result');
    await report.fill('Findings: No pneumothorax. Heart size normal.');
    await page.waitForTimeout(300);
    expect(await reminder.count()).toBe(0);
    await report.fill('Findings: Small right apical pneumothorax.');
    expect(await reminder.locator('p').textContent()).toBe('Possible critical result: pneumothorax. The referring clinician may need telling within hours; the report documents no communication.');
    const text = 'Findings: Free air under the right hemidiaphragm. Small right apical pneumothorax.\nImpression: Pneumoperitoneum.';
    await report.fill(text);
    expect(await reminder.locator('.error-text').textContent()).toMatch(/^Possible critical result: pneumoperitoneum and pneumothorax\. The referring clinician needs telling at once;/);
    // The sign form says it too.
    await page.getByRole('button', { name: 'Sign report…' }).click();
    expect(await page.getByTestId('sign-critical-warning').textContent()).toBe(
      'The report names pneumoperitoneum and pneumothorax and documents no communication to the referring clinician. Document communication…',
    );
    // From there, Document communication… closes the sign form and opens the communication form.
    await page.getByTestId('sign-critical-warning').getByRole('button', { name: 'Document communication…' }).click();
    expect(await page.getByRole('form', { name: 'Sign the report' }).count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('label')?.textContent)).toBe('Recipient');

    // Escape closes the form, the focus back on its button.
    await page.keyboard.press('Escape');
    // The button takes the focus back in the next frame, once the form is gone.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Document communication…');
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Document the communication' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('label')?.textContent)).toBe('Recipient');
    expect(await form.getByTestId('critical-problem').textContent()).toMatch(/Say who was told/);
    expect(await form.getByRole('button', { name: 'Add to report' }).isDisabled()).toBe(true);
    await form.getByLabel('Recipient', { exact: true }).fill('Dr A Smith, Emergency Department');
    await form.getByLabel('How', { exact: true }).selectOption('in person');
    await form.getByLabel('When', { exact: true }).fill('2026-12-07T09:15');
    await form.getByLabel('Told by', { exact: true }).fill('Dr Jane Doe');
    await form.getByLabel('Read back and confirmed').check();
    // The reminder and its form pass the page's accessibility audit, and the page still does not scroll.
    expect(await axeAudit(page)).toEqual([]);
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight)).toBe(true);
    await form.getByLabel('Recipient', { exact: true }).press('Enter');

    const sentence =
      'Critical result: pneumoperitoneum and pneumothorax communicated by Dr Jane Doe to Dr A Smith, Emergency Department in person on 2026-12-07 at 09:15; read back and confirmed.';
    expect(await report.inputValue()).toBe(`${text}\n${sentence}`);
    expect(await reminder.count()).toBe(0);
    // The reader goes on typing after the sentence.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Report');
    await page.keyboard.type(' Follow-up film advised.');
    expect(await report.inputValue()).toBe(`${text}\n${sentence} Follow-up film advised.`);
    await page.getByRole('button', { name: 'Sign report…' }).click();
    expect(await page.getByTestId('sign-critical-warning').count()).toBe(0);
    expect((await downloaded(page, 'Export .txt')).text).toContain(sentence);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says when the Findings and the Impression disagree (a finding ruled out in one, on another side, or a critical one left out), there and in the sign form, until they agree', async () => {
    const { page, errors, report } = await openReportPage();
    const warning = page.getByTestId('section-warning');
    await report.fill('Findings: Small right pleural effusion. Left basal atelectasis.\nImpression: Small left pleural effusion.');
    expect(await warning.textContent()).toBe('The findings and the impression disagree: pleural effusion is right in the findings and left in the impression.');
    await page.getByRole('button', { name: 'Sign report…' }).click();
    expect(await page.getByTestId('sign-section-warning').textContent()).toBe(await warning.textContent());
    await page.getByRole('button', { name: 'Cancel' }).click();
    // The Findings edited, the Impression left as the model wrote it.
    await report.fill('Findings: Small right pleural effusion. No pneumothorax.\nImpression: Small right pleural effusion. Small right pneumothorax.');
    await expect
      .poll(() => warning.textContent())
      .toBe('The findings and the impression disagree: pneumothorax is ruled out in the findings and named in the impression.');
    // A critical finding in the Findings that the Impression leaves out.
    await report.fill('Findings: Small right pleural effusion. Small right apical pneumothorax.\nImpression: Small right pleural effusion.');
    await expect
      .poll(() => warning.textContent())
      .toBe('The findings and the impression disagree: pneumothorax is named in the findings and left out of the impression, which the referring clinician reads first.');
    await report.fill('Findings: Small right pleural effusion. No pneumothorax.\nImpression: Small right pleural effusion.');
    await expect.poll(() => warning.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("puts the reader's phrases in where the caret was, and keeps the ones they add in Settings", async () => {
    const { page, errors, report } = await openReportPage();
    await report.fill('Line one.\nLine two.');
    await report.press('Control+Home');
    const menu = page.locator('.phrase-menu');
    const phrases = menu.getByRole('list', { name: 'Report phrases' });
    // Opened, the first phrase has the focus; Escape closes it, the focus back on its summary.
    await menu.getByText('Insert phrase').click();
    // The list takes the focus on the details' toggle event, which comes after the click.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Normal chest');
    await page.keyboard.press('Escape');
    expect([await phrases.isVisible(), await page.evaluate(() => document.activeElement?.tagName)]).toEqual([false, 'SUMMARY']);
    await page.keyboard.press('Enter');
    await phrases.getByRole('button', { name: 'No comparison' }).click();
    expect(await report.inputValue()).toBe('Comparison: None available.\nLine one.\nLine two.');
    expect(await phrases.isVisible()).toBe(false);
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Report');
    expect(await report.evaluate((el: HTMLTextAreaElement) => el.selectionStart)).toBe('Comparison: None available.\n'.length);
    // Ctrl+Z takes it out again, as it would typed text, and Ctrl+Shift+Z puts it back; what the
    // reader typed before it is still undoable after it (the box's own history, not a value set).
    await page.keyboard.press('Control+z');
    expect(await report.inputValue()).toBe('Line one.\nLine two.');
    await page.keyboard.press('Control+Shift+z');
    expect(await report.inputValue()).toBe('Comparison: None available.\nLine one.\nLine two.');
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(' Typed.'); // one input event: one step of the box's history
    await menu.getByText('Insert phrase').click();
    await phrases.getByRole('button', { name: 'No comparison' }).click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Report');
    await page.keyboard.press('Control+z');
    expect(await report.inputValue()).toBe('Comparison: None available.\nLine one.\nLine two. Typed.');
    await page.keyboard.press('Control+z');
    expect(await report.inputValue()).toBe('Comparison: None available.\nLine one.\nLine two.');
    // The store follows the box: the export has what is on screen.
    expect((await downloaded(page, 'Export .txt')).text).toContain('\nComparison: None available.\nLine one.\nLine two.\n');

    // In Settings: a new phrase, offered once it has a name and a text; a deleted one goes.
    await openPanel(page, 'settings');
    const editor = page.getByRole('list', { name: 'Your report phrases' });
    await page.getByRole('button', { name: 'Add phrase' }).click();
    await page.keyboard.type('Pneumonia follow-up');
    expect(await editor.locator('li').last().locator('span.muted').textContent()).toBe('Write the text it puts in.');
    await editor.locator('li').last().getByLabel('Text').fill('Follow-up radiograph in 6 weeks to document resolution.');
    expect(await editor.locator('li').last().locator('span.muted').count()).toBe(0);
    await editor.getByRole('button', { name: 'Delete the phrase Devices in position' }).click();
    expect(await axeAudit(page)).toEqual([]);
    await closePanel(page, 'settings');
    const offered = async () => (await menu.locator('ul button').allTextContents()).join(' | ');
    expect(await offered()).toBe('Normal chest | No comparison | Follow-up after treatment | Examination and indication | Pneumonia follow-up');

    // Kept on this device: after a reload they are there, and the report's end takes one.
    await page.waitForTimeout(1200);
    await page.reload();
    await report.waitFor();
    expect(await offered()).toBe('Normal chest | No comparison | Follow-up after treatment | Examination and indication | Pneumonia follow-up');
    await menu.getByText('Insert phrase').click();
    await phrases.getByRole('button', { name: 'Pneumonia follow-up' }).click();
    expect(await report.inputValue()).toBe('Comparison: None available.\nLine one.\nLine two.\nFollow-up radiograph in 6 weeks to document resolution.');
    // A phrase with a blank: the blank is selected, so typing fills it; one left unfilled, the sign form says so.
    await menu.getByText('Insert phrase').click();
    await phrases.getByRole('button', { name: 'Follow-up after treatment' }).click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Report');
    expect(await report.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd))).toBe('[interval]');
    await page.keyboard.type('6 weeks');
    expect(await report.inputValue()).toMatch(/\nA follow-up chest radiograph in 6 weeks after treatment is recommended to document resolution\.$/);
    await menu.getByText('Insert phrase').click();
    await phrases.getByRole('button', { name: 'Follow-up after treatment' }).click();
    // Tab in the report goes to the next blank, from wherever the caret is; with none left that way it moves the focus on.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Report');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Tab');
    expect(await report.evaluate((el: HTMLTextAreaElement) => [document.activeElement === el, el.value.slice(el.selectionStart, el.selectionEnd)])).toEqual([true, '[interval]']);
    await page.keyboard.press('Tab');
    expect(await report.evaluate((el) => document.activeElement === el)).toBe(false);
    await page.getByRole('button', { name: 'Sign report…' }).click();
    expect(await page.getByTestId('sign-blanks-warning').textContent()).toBe('The report still has a blank to fill: [interval]. Tab in the report goes to the next one.');
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Clear all local data puts the starting set back.
    await openPanel(page, 'settings');
    await page.getByRole('button', { name: 'Clear all local data…' }).click();
    await page.getByRole('dialog', { name: 'Clear all local data?' }).getByRole('button', { name: 'Delete everything' }).click();
    await page.waitForFunction(() => /Deleted all drafts/.test(document.querySelector('[data-testid="clear-data-result"]')?.textContent ?? ''));
    expect(await offered()).toBe('Normal chest | No comparison | Devices in position | Follow-up after treatment | Examination and indication');
    // A phrase's fields come from the open study's header; with none open, each is a blank, and Tab goes from one to the next.
    await report.fill('');
    await menu.getByText('Insert phrase').click();
    await phrases.getByRole('button', { name: 'Examination and indication' }).click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Report');
    const selected = () => report.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
    expect([await report.inputValue(), await selected()]).toEqual(['Examination: Chest radiograph, [view] view, [study date].\nIndication: [indication]', '[view]']);
    await page.keyboard.type('PA');
    await page.keyboard.press('Tab');
    expect(await selected()).toBe('[study date]');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('every control on the page has a role and an accessible name', async () => {
    const { page } = await openPage(browser, baseURL);
    await page.getByRole('textbox', { name: 'Report', exact: true }).fill('x');
    const unnamed = await page.evaluate(() => {
      const nameOf = (el: Element): string => {
        const aria = el.getAttribute('aria-label');
        if (aria?.trim()) return aria;
        const by = el.getAttribute('aria-labelledby');
        if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
        const labels = (el as HTMLInputElement).labels;
        if (labels?.length) return Array.from(labels, (l) => l.textContent ?? '').join(' ');
        if (['BUTTON', 'SUMMARY', 'A'].includes(el.tagName) || el.getAttribute('role') === 'button') return el.textContent ?? '';
        return el.getAttribute('title') ?? '';
      };
      const controls = document.querySelectorAll('button, input, select, textarea, summary, a[href], [role], dialog');
      return Array.from(controls)
        .filter((el) => !nameOf(el).trim() && !['status', 'note', 'log'].includes(el.getAttribute('role') ?? ''))
        .map((el) => el.outerHTML.slice(0, 120));
    });
    expect(unnamed).toEqual([]);
    await page.close();
  });
});

// With the tiny random-weight model and an image: Ctrl+Enter, the Findings preset and
// its table, and the per-study draft coming back when the same image is opened after a reload.
describe('shortcuts, findings and drafts with an image (tiny model, wasm)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => browser?.close());

  it('Ctrl+Enter generates, Findings shows the table, and the draft follows the image', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    await setSettings(page, { temperature: 0, maxNewTokens: 48 });
    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    const generate = page.getByRole('button', { name: 'Generate report' });
    await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });

    await report.press('Control+Enter');
    await page.waitForFunction(() => document.querySelector('textarea[aria-label="Report"]')?.getAttribute('data-streaming') === 'true');
    await waitForIdle(page);
    const first = await report.inputValue();
    expect(first.length).toBeGreaterThan(0);

    // Escape and Stop are checked in stop.e2e.ts.

    await page.getByRole('button', { name: 'Findings', exact: true }).click();
    await page.getByTestId('findings-table').waitFor();
    await waitForIdle(page);
    expect(await page.getByTestId('findings-table').locator('tbody tr').count()).toBe(14);
    // The first report is kept as an earlier version.
    expect(await page.getByLabel('Earlier versions').locator('option').allTextContents()).toEqual(['1 kept', expect.stringContaining(first.slice(0, 20))]);
    const findingsText = await report.inputValue();
    // A JPEG has no reason for the study in it: the reader's is kept with the draft.
    const reason = page.getByRole('textbox', { name: 'Reason for the study' });
    await reason.fill('Shortness of breath');

    // Reload: the draft is back before the image is; opening the same image keeps it.
    await page.waitForTimeout(1200);
    await page.reload();
    await page.getByTestId('draft-notice').waitFor();
    expect(await report.inputValue()).toBe(findingsText);
    expect(await reason.inputValue()).toBe('Shortness of breath');
    await page.getByTestId('findings-table').waitFor();
    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    await expect.poll(() => page.getByTestId('draft-notice').textContent(), { timeout: 30_000 }).not.toMatch(/Open the same image/);
    expect(await report.inputValue()).toBe(findingsText);
    expect(await reason.inputValue()).toBe('Shortness of breath');
    // The exports say what the study was asked for, under the study.
    expect((await downloaded(page, 'Export .txt')).text).toMatch(/\nStudy: JPEG · [^\n]+\nReason for the study: Shortness of breath\n/);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('puts the question the reason for the study asks, and the report leaves, to the model in one click', async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    await setSettings(page, { temperature: 0, maxNewTokens: 12 });
    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    await page.getByRole('textbox', { name: 'Reason for the study' }).fill('Central line placed; ? pneumothorax');
    await page.getByRole('textbox', { name: 'Report', exact: true }).fill('Heart size is normal.');
    await expect.poll(() => page.getByTestId('report-question').textContent()).toBe(
      'The reason for the study asks about the lines and tubes or a pneumothorax; the report does not mention them.',
    );
    const asks = page.getByRole('group', { name: 'Ask the model' }).getByRole('button');
    expect(await asks.allTextContents()).toEqual(['Ask: Are there any lines or tubes, and where are their tips?', 'Ask: Is there a pneumothorax?']);
    const ask = asks.nth(1);
    await expect.poll(() => ask.isEnabled(), { timeout: 60_000 }).toBe(true);
    await ask.click();
    // Asked in the follow-up, as if typed there; the answer streams in under it.
    await page.waitForFunction(() => document.querySelectorAll('[data-role="assistant"][data-streaming="false"]').length === 1, undefined, { timeout: 120_000 });
    expect(await page.locator('[data-role="user"] .text').allTextContents()).toEqual(['Is there a pneumothorax?']);
    expect((await page.locator('[data-role="assistant"] .text').last().textContent())?.trim().length).toBeGreaterThan(0);
    // Answered in the report (here by the reader), the question and its buttons go.
    await page.getByRole('textbox', { name: 'Report', exact: true }).fill('Heart size is normal. Right IJ line tip in the SVC. No pneumothorax.');
    await expect.poll(() => page.getByTestId('report-question').count()).toBe(0);
    expect(await page.getByRole('group', { name: 'Ask the model' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it("shows what the reader changed in the model's draft, and the sign form, the export and a reload say it too", async () => {
    const { page, errors } = await openPage(browser, baseURL);
    await waitForModel(page);
    await setSettings(page, { temperature: 0, maxNewTokens: 24 });
    await page.getByLabel('Open image').setInputFiles(SAMPLE);
    const generate = page.getByRole('button', { name: 'Generate report' });
    await expect.poll(() => generate.isEnabled(), { timeout: 60_000 }).toBe(true);
    await generate.click();
    await page.waitForFunction(() => document.querySelector('textarea[aria-label="Report"]')?.getAttribute('data-streaming') === 'true');
    await waitForIdle(page);
    const report = page.getByRole('textbox', { name: 'Report', exact: true });
    const model = (await report.inputValue()).trim();
    const words = model.split(/\s+/).length;
    await report.fill(`Reader ${model} Added here.`);
    const summary = `Kept ${words} of the AI draft's ${words} words, removed 0, added 3.`;

    const toggle = page.getByRole('button', { name: 'Changes from the AI draft' });
    await toggle.click();
    const changes = page.getByRole('region', { name: 'Changes from the AI draft' });
    expect(await changes.getByTestId('draft-changes-summary').textContent()).toBe(summary);
    expect((await changes.locator('ins').allTextContents()).join('|')).toBe('Reader | Added here.');
    expect(await changes.locator('del').count()).toBe(0);
    expect(await report.isVisible()).toBe(false);
    await toggle.click();
    expect(await report.isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Sign report…' }).click();
    const form = page.getByRole('form', { name: 'Sign the report' });
    expect(await form.getByTestId('sign-changes').textContent()).toBe(summary);
    await form.getByLabel('Family name').fill('Doe');
    await form.getByLabel('Organization').fill('St Example Hospital');
    await form.getByRole('button', { name: 'Sign as Doe' }).click();
    const txt = await downloaded(page, 'Export .txt');
    expect(txt.text).toContain(`\nAI draft: ${summary}\n`);

    // The model's text is kept with the draft: after a reload the changes are still shown.
    await page.waitForTimeout(1200);
    await page.reload();
    await page.getByTestId('report-signed').waitFor();
    await page.getByRole('button', { name: 'Changes from the AI draft' }).click();
    expect(await page.getByTestId('draft-changes-summary').textContent()).toBe(summary);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
