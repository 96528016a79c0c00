import { describe, expect, it } from 'vitest';
import { createAppStore } from './store';
import { studyIndication } from './report-slice';
import { reportChanges } from '../report/draft-changes';

describe('report slice', () => {
  it('appends streamed text after the user edit, never over it', () => {
    const s = createAppStore();
    s.getState().startReport('report');
    s.getState().appendReport('Heart size is ');
    s.getState().editReport('EDITED: Heart size is ');
    s.getState().appendReport('normal.');
    expect(s.getState().report).toBe('EDITED: Heart size is normal.');
  });

  it('keeps the previous version reachable when regenerating, and can restore it', () => {
    const s = createAppStore();
    s.getState().startReport('report');
    s.getState().appendReport('first');
    s.getState().finishStreaming();
    s.getState().startReport('report');
    s.getState().appendReport('second');
    expect(s.getState().versions.map((v) => v.text)).toEqual(['first']);
    s.getState().restoreVersion(0);
    expect(s.getState().report).toBe('first');
    expect(s.getState().versions.map((v) => v.text)).toEqual(['second']);
  });

  it("cuts the report for a rewrite, keeping it whole as a version, the model's own text cut at the same place", () => {
    const s = createAppStore();
    s.getState().startReport('report');
    s.getState().appendReport('Findings: Small effusion.\nImpression: Effusion.');
    s.getState().finishStreaming();
    // The reader corrects the findings; the model's impression still says effusion.
    s.getState().editReport('Findings: No effusion.\nImpression: Effusion.');
    const at = s.getState().report.indexOf('Impression:') + 'Impression:'.length;
    s.getState().cutReport(at);
    expect(s.getState().report).toBe('Findings: No effusion.\nImpression:');
    expect(s.getState().modelReport).toBe('Findings: Small effusion.\nImpression:');
    expect(s.getState().versions.map((v) => [v.text, v.model])).toEqual([['Findings: No effusion.\nImpression: Effusion.', 'Findings: Small effusion.\nImpression: Effusion.']]);
    // Nothing to cut past the end, and nothing while text streams in.
    s.getState().cutReport(s.getState().report.length);
    s.getState().resumeReport();
    s.getState().cutReport(3);
    expect(s.getState().versions).toHaveLength(1);
    expect(s.getState().report).toBe('Findings: No effusion.\nImpression:');
  });

  it('takes a filed draft as the report, keeping the one it replaces; never while text streams in', () => {
    const s = createAppStore();
    s.getState().takeReport('Findings: filed.');
    expect([s.getState().report, s.getState().versions.length]).toEqual(['Findings: filed.', 0]);
    s.getState().editReport('Typed here.');
    s.getState().takeReport('Findings: filed.');
    expect(s.getState().report).toBe('Findings: filed.');
    expect(s.getState().versions.map((v) => v.text)).toEqual(['Typed here.']);
    s.getState().startReport('report');
    s.getState().appendReport('Stream');
    s.getState().takeReport('Findings: other.');
    expect(s.getState().report).toBe('Stream');
  });

  it('puts a line where the user last had the caret, as a line of its own; at the end otherwise', () => {
    const s = createAppStore();
    const report = 'FINDINGS: A nodule in the right upper zone.\nIMPRESSION: Nodule.';
    s.getState().editReport(report);
    s.getState().insertReportLine('Length: 1 mm.');
    expect(s.getState().report).toBe(`${report}\nLength: 1 mm.`); // no caret yet: at the end, on its own line
    s.getState().editReport(report);
    s.getState().setReportCaret({ report, at: report.indexOf('\n') }); // the end of the first line
    s.getState().insertReportLine('Length: 2 mm.');
    expect(s.getState().report).toBe('FINDINGS: A nodule in the right upper zone.\nLength: 2 mm.\nIMPRESSION: Nodule.');
    // Again: after the line just put in.
    s.getState().insertReportLine('Length: 3 mm.');
    expect(s.getState().report).toBe('FINDINGS: A nodule in the right upper zone.\nLength: 2 mm.\nLength: 3 mm.\nIMPRESSION: Nodule.');
    // Mid-line: the line breaks there; at the very start: before the text.
    s.getState().editReport('ab');
    s.getState().setReportCaret({ report: 'ab', at: 1 });
    s.getState().insertReportLine('L');
    expect(s.getState().report).toBe('a\nL\nb');
    s.getState().setReportCaret({ report: 'a\nL\nb', at: 0 });
    s.getState().insertReportLine('M');
    expect(s.getState().report).toBe('M\na\nL\nb');
  });

  it("puts a follow-up answer in as the model's text: the reader's share of the report stays what they wrote", () => {
    const s = createAppStore();
    s.getState().startReport('report');
    s.getState().appendReport('Findings: Heart normal.\nImpression: Normal.');
    s.getState().finishStreaming();
    const edited = 'Findings: Heart normal. Small effusion.\nImpression: Normal.';
    s.getState().editReport(edited);
    s.getState().setReportCaret({ report: edited, at: edited.indexOf('\nImpression') });
    s.getState().insertReportLine('No pneumothorax.', { fromModel: true });
    expect(s.getState().report).toBe('Findings: Heart normal. Small effusion.\nNo pneumothorax.\nImpression: Normal.');
    expect(s.getState().modelReport).toBe('Findings: Heart normal.\nNo pneumothorax.\nImpression: Normal.');
    expect(reportChanges(s.getState())).toEqual({ modelWords: 7, keptWords: 7, removedWords: 0, addedWords: 2 });
    // The same line put in by the report box itself (so that Ctrl+Z can take it out): the box hands
    // over the text, noteModelLine the model's share.
    const viaBox = createAppStore();
    viaBox.getState().startReport('report');
    viaBox.getState().appendReport('Findings: Heart normal.\nImpression: Normal.');
    viaBox.getState().finishStreaming();
    viaBox.getState().editReport(s.getState().report);
    viaBox.getState().noteModelLine(edited, edited.indexOf('\nImpression'), 'No pneumothorax.');
    expect(viaBox.getState().modelReport).toBe(s.getState().modelReport);
    // Into a report the reader typed: the answer is all the model wrote of it.
    const t = createAppStore();
    t.getState().editReport('Typed report.');
    t.getState().insertReportLine('No pneumothorax.', { fromModel: true });
    expect([t.getState().report, t.getState().modelReport]).toEqual(['Typed report.\nNo pneumothorax.', 'No pneumothorax.']);
    // A line the reader puts in (a length) stays theirs.
    t.getState().insertReportLine('Length: 2 mm.');
    expect(t.getState().modelReport).toBe('No pneumothorax.');
  });

  it('keeps the caret through streamed text, not through other changes or a new report', () => {
    const s = createAppStore();
    s.getState().startReport('report');
    s.getState().appendReport('Heart normal.');
    s.getState().setReportCaret({ report: 'Heart normal.', at: 0 });
    s.getState().appendReport(' Lungs clear.');
    s.getState().insertReportLine('Length: 4 mm.');
    expect(s.getState().report).toBe('Length: 4 mm.\nHeart normal. Lungs clear.');
    s.getState().setReportCaret({ report: 'something else', at: 0 });
    s.getState().insertReportLine('Length: 5 mm.');
    expect(s.getState().report).toBe('Length: 4 mm.\nHeart normal. Lungs clear.\nLength: 5 mm.');
    s.getState().setReportCaret({ report: s.getState().report, at: 0 });
    s.getState().finishStreaming();
    s.getState().startReport('report');
    s.getState().appendReport('New text.');
    s.getState().insertReportLine('Length: 6 mm.');
    expect(s.getState().report).toBe('New text.\nLength: 6 mm.');
  });

  it('streams chat answers into the last assistant message', () => {
    const s = createAppStore();
    s.getState().startChat('Effusion?');
    s.getState().appendChat('No');
    s.getState().appendChat(' effusion.');
    s.getState().finishStreaming();
    expect(s.getState().chat).toEqual([
      { role: 'user', text: 'Effusion?' },
      { role: 'assistant', text: 'No effusion.', streaming: false, interrupted: undefined },
    ]);
  });

  it('signs the report as it is; a signed report takes no edit, stream, line, version or filed draft until amended', () => {
    const s = createAppStore();
    const jane = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };
    s.getState().signReport(jane, 1000); // nothing to sign yet
    expect(s.getState().signature).toBeNull();
    s.getState().startReport('report');
    s.getState().appendReport('Heart normal.');
    s.getState().signReport(jane, 1000); // not while it streams
    expect(s.getState().signature).toBeNull();
    s.getState().finishStreaming();
    s.getState().editReport('Heart normal. Lungs clear.');
    s.getState().signReport(jane, 2000);
    expect(s.getState().signature).toEqual({ reader: jane, at: 2000, text: 'Heart normal. Lungs clear.' });

    const signed = s.getState().report;
    s.getState().editReport('Changed.');
    s.getState().insertReportLine('Length: 1 mm.');
    s.getState().takeReport('Filed draft.');
    s.getState().startReport('report');
    s.getState().appendReport(' more');
    s.getState().restoreVersion(0);
    expect([s.getState().report, s.getState().streaming, s.getState().versions.length]).toEqual([signed, null, 0]);

    // Amending reopens it, keeps the signed text as a version, and the next signature says what it amends.
    s.getState().amendReport();
    expect(s.getState().signature).toBeNull();
    expect(s.getState().versions).toEqual([{ text: signed, preset: 'report', createdAt: 2000, signedBy: 'Dr Jane Doe', model: 'Heart normal.' }]);
    s.getState().editReport('Heart normal, lungs clear.');
    s.getState().signReport(jane, 3000);
    expect(s.getState().signature).toEqual({ reader: jane, at: 3000, text: 'Heart normal, lungs clear.', amends: { reader: jane, at: 2000 } });
    expect(s.getState().amending).toBeNull();

    // An addendum: the signed text stays, "Addendum:" follows with the caret after it; signed, it says so.
    s.getState().amendReport({ addendum: true });
    const reopened = 'Heart normal, lungs clear.\n\nAddendum: ';
    expect([s.getState().report, s.getState().reportCaret]).toEqual([reopened, { report: reopened, at: reopened.length }]);
    s.getState().signReport(jane, 3500); // an empty addendum is not signed
    expect(s.getState().signature).toBeNull();
    s.getState().editReport(`${s.getState().report}no effusion.`);
    s.getState().signReport(jane, 4000);
    expect(s.getState().signature?.amends).toEqual({ reader: jane, at: 3000, addendum: true });
    // Reopened and signed unchanged, it was not amended: the signature it had comes back, and its
    // copy under Earlier versions goes (it is the report again).
    const before = s.getState().signature;
    const versions = s.getState().versions;
    s.getState().amendReport();
    s.getState().editReport(`${s.getState().report}  `);
    s.getState().signReport(jane, 5000);
    expect([s.getState().signature, s.getState().amending, s.getState().versions]).toEqual([before, null, versions]);
    expect(s.getState().report).toBe(before!.text);
    // Amending dropped: the signed report comes back, and what was written since is kept as a version.
    s.getState().amendReport();
    s.getState().editReport('Rewritten.');
    s.getState().keepSignature();
    expect([s.getState().signature, s.getState().report, s.getState().versions.at(-1)?.text]).toEqual([before, before!.text, 'Rewritten.']);
    expect(s.getState().versions.filter((v) => v.signedBy)).toHaveLength(versions.filter((v) => v.signedBy).length);
    // An addendum started and dropped with nothing in it leaves no version behind.
    const count = s.getState().versions.length;
    s.getState().amendReport({ addendum: true });
    s.getState().keepSignature();
    expect([s.getState().signature, s.getState().versions.length]).toEqual([before, count]);
    s.getState().keepSignature(); // not amending: nothing happens
    expect(s.getState().signature).toBe(before);
  });

  it("keeps the model's own text apart from the reader's edits, per version; unknown for a filed draft taken over", () => {
    const s = createAppStore();
    expect(s.getState().modelReport).toBeNull();
    s.getState().startReport('report');
    s.getState().appendReport('Heart ');
    s.getState().editReport('EDITED Heart ');
    s.getState().appendReport('normal.');
    s.getState().finishStreaming();
    expect([s.getState().report, s.getState().modelReport]).toEqual(['EDITED Heart normal.', 'Heart normal.']);
    s.getState().startReport('differential');
    s.getState().appendReport('Normal.');
    s.getState().finishStreaming();
    expect(s.getState().versions[0]).toMatchObject({ text: 'EDITED Heart normal.', model: 'Heart normal.' });
    s.getState().restoreVersion(0);
    expect(s.getState().modelReport).toBe('Heart normal.');
    s.getState().takeReport('Filed text.');
    expect(s.getState().modelReport).toBeNull();
    // A filed signed report taken over: signing it again amends that signature.
    const filed = { reader: { family: 'Roe', given: 'Ann', prefix: '', organization: 'Other Clinic' }, at: 77, text: 'Filed text.' };
    s.getState().takeReport('Filed text.', filed);
    expect(s.getState().amending).toEqual(filed);
    s.getState().restoreVersion(s.getState().versions.findIndex((v) => v.text === 'EDITED Heart normal.'));
    expect(s.getState().modelReport).toBe('Heart normal.');
  });

  it('the reason for the study: what the reader typed, else the file header\'s; a new draft starts from the file again', () => {
    const s = createAppStore();
    const meta = [{ key: 'indication', label: 'Reason for the study', value: ' Cough and fever ', identifying: false }];
    const st = s.getState();
    st.finishIntake(st.startIntake('a.dcm'), { fileName: 'a.dcm', image: { meta } as never, modelInput: { width: 1, height: 1, data: new Uint8Array(1) }, decodeMs: 1 });
    expect(studyIndication(s.getState())).toBe('Cough and fever');
    s.getState().setIndication('Line placement');
    expect(studyIndication(s.getState())).toBe('Line placement');
    // Emptied by the reader: none, not the file's.
    s.getState().setIndication('  ');
    expect(studyIndication(s.getState())).toBeUndefined();
    s.getState().loadDraft({ report: '', reportPreset: null, versions: [], chat: [], chatInput: '' });
    expect(s.getState().indication).toBeNull();
    expect(studyIndication(s.getState())).toBe('Cough and fever');
    s.getState().closeStudy();
    expect(studyIndication(s.getState())).toBeUndefined();
  });
});
