import { describe, expect, it } from 'vitest';
import { asReader, asSignature, changedSince, describeSignature, dicomPersonName, isAddendum, readerName, readerProblem, reportSignProblem } from './signature';

describe('the reader signature', () => {
  const jane = { family: 'Doe', given: 'Jane', prefix: 'Dr', organization: 'St Example Hospital' };

  it('names the reader for people and as a DICOM Person Name', () => {
    expect(readerName(jane)).toBe('Dr Jane Doe');
    expect(dicomPersonName(jane)).toBe('Doe^Jane^^Dr');
    expect(dicomPersonName({ ...jane, given: '', prefix: '' })).toBe('Doe');
    expect(dicomPersonName({ ...jane, family: ' Kim ', given: 'Min-jun', prefix: '' })).toBe('Kim^Min-jun');
  });

  it('says why a name cannot sign', () => {
    expect(readerProblem(jane)).toBeNull();
    expect(readerProblem({ ...jane, family: ' ' })).toMatch(/family name/);
    expect(readerProblem({ ...jane, given: 'Ja^ne' })).toMatch(/\^/);
    expect(readerProblem({ ...jane, family: 'x'.repeat(60) })).toMatch(/too long/);
    expect(readerProblem({ ...jane, organization: '' })).toMatch(/organization/);
    expect(readerProblem({ ...jane, organization: 'A\\B' })).toMatch(/cannot hold/);
  });

  it('reads back only what it wrote', () => {
    expect(asReader(jane)).toEqual(jane);
    expect(asReader({ family: 'Doe' })).toBeNull();
    expect(asReader({ family: 'Doe', given: '', prefix: '' })).toBeNull(); // no organization
    expect(asReader({ ...jane, family: '' })).toBeNull();
    const sig = { reader: jane, at: 5, text: 'Signed text.', amends: { reader: jane, at: 2 } };
    expect(asSignature(JSON.parse(JSON.stringify(sig)))).toEqual(sig);
    expect(asSignature({ ...sig, amends: { at: 2 } })).toEqual({ reader: jane, at: 5, text: 'Signed text.' });
    expect(asSignature({ ...sig, at: 'now' })).toBeNull();
    expect(asSignature(null)).toBeNull();
  });

  it('tells an addendum (the signed text kept at the start, more after it) from an amendment', () => {
    expect(isAddendum('Heart normal.', 'Heart normal.\n\nAddendum: no effusion.')).toBe(true);
    expect(isAddendum('Heart normal.\n', '  Heart normal. Lungs clear.')).toBe(true);
    expect(isAddendum('Heart normal.', 'Heart normal.\n')).toBe(false); // nothing added
    expect(isAddendum('Heart normal.', 'Heart size normal. Addendum: x.')).toBe(false);
    const at = new Date(2026, 11, 7, 10, 12).getTime();
    expect(describeSignature({ reader: jane, at, text: '', amends: { reader: jane, at, addendum: true } })).toMatch(/ \(adds an addendum to the report signed by Dr Jane Doe \(St Example Hospital\), 2026-12-07 10:12\)$/);
  });

  it('tells a report that says something new from the signed one reopened', () => {
    expect(changedSince('Heart normal.', ' Heart normal.\n')).toBe(false);
    expect(changedSince('Heart normal.', 'Heart normal.\n\nAddendum: ')).toBe(false);
    expect(changedSince('Heart normal.', 'Heart normal.\n\nAddendum: no effusion.')).toBe(true);
    expect(changedSince('Heart normal.', 'Heart  normal.')).toBe(true);
    expect(changedSince('Heart normal.', '')).toBe(true);
  });

  it('says why a report cannot be signed: empty, or an empty addendum', () => {
    expect(reportSignProblem(' \n')).toBe('The report is empty.');
    expect(reportSignProblem('Heart normal.\n\nAddendum: ')).toMatch(/^The addendum is empty/);
    expect(reportSignProblem('Heart normal.\n\nAddendum:')).toMatch(/^The addendum is empty/);
    expect(reportSignProblem('Heart normal.\n\nAddendum: no effusion.')).toBeNull();
    expect(reportSignProblem('Addendum: to follow.')).toBeNull();
  });

  it('describes the signature with what it amends', () => {
    const at = new Date(2026, 11, 7, 10, 12).getTime();
    expect(describeSignature({ reader: jane, at, text: '', amends: { reader: { ...jane, given: 'J' }, at: at - 7 * 60_000 } })).toBe(
      'Signed by Dr Jane Doe (St Example Hospital), 2026-12-07 10:12 (amends the report signed by Dr J Doe (St Example Hospital), 2026-12-07 10:05)',
    );
  });
});
