import { describe, expect, it } from 'vitest';
import { answerParts, OBSERVATIONS, parseFindings, readVerdict, type FindingLabel, type Observation } from './findings';

function labels(answer: string): Partial<Record<Observation, FindingLabel>> {
  const out: Partial<Record<Observation, FindingLabel>> = {};
  for (const r of parseFindings(answer)) if (r.label !== 'not mentioned') out[r.observation] = r.label;
  return out;
}

describe('parseFindings', () => {
  it('returns the 14 CheXpert observations in order, all "not mentioned" for an empty answer', () => {
    const rows = parseFindings('');
    expect(rows.map((r) => r.observation)).toEqual([...OBSERVATIONS]);
    expect(rows).toHaveLength(14);
    expect(rows.every((r) => r.label === 'not mentioned')).toBe(true);
  });

  it('reads a list answer ("X: present / absent / uncertain")', () => {
    const answer = [
      'Atelectasis: absent',
      'Cardiomegaly: present',
      'Consolidation: uncertain',
      'Edema - absent',
      '- Enlarged cardiomediastinum: absent',
      '- Fracture: no',
      '1. Lung lesion: absent',
      '2. Lung opacity: present',
      'Pleural effusion: present',
      'Pleural other: absent',
      'Pneumonia: uncertain',
      'Pneumothorax: absent',
      'Support devices: absent',
    ].join('\n');
    expect(labels(answer)).toEqual({
      'No Finding': 'negative',
      Atelectasis: 'negative',
      Cardiomegaly: 'positive',
      Consolidation: 'uncertain',
      Edema: 'negative',
      'Enlarged Cardiomediastinum': 'negative',
      Fracture: 'negative',
      'Lung Lesion': 'negative',
      'Lung Opacity': 'positive',
      'Pleural Effusion': 'positive',
      'Pleural Other': 'negative',
      Pneumonia: 'uncertain',
      Pneumothorax: 'negative',
      'Support Devices': 'negative',
    });
  });

  it('reads prose: negation lists, uncertainty, and "but" ending a negation', () => {
    const answer =
      'The heart is enlarged. There is no pleural effusion, pneumothorax, or focal consolidation. ' +
      'Possible atelectasis at the left base. No fracture is seen, but there is an endotracheal tube in place.';
    expect(labels(answer)).toEqual({
      'No Finding': 'negative',
      Cardiomegaly: 'positive',
      'Pleural Effusion': 'negative',
      Pneumothorax: 'negative',
      Consolidation: 'negative',
      Atelectasis: 'uncertain',
      Fracture: 'negative',
      'Support Devices': 'positive',
    });
  });

  it('reads "X and Y are absent" and "cannot be excluded" after the mention', () => {
    expect(labels('Edema and pneumonia are absent. Pneumothorax cannot be excluded.')).toMatchObject({
      Edema: 'negative',
      Pneumonia: 'negative',
      Pneumothorax: 'uncertain',
    });
  });

  it('reads short verdicts by name ("X is present / absent / uncertain")', () => {
    expect(labels('Atelectasis is present. Cardiomegaly is absent. Edema is uncertain. Pleural effusions are not seen. **Fracture**: none.')).toEqual({
      'No Finding': 'negative',
      Atelectasis: 'positive',
      Cardiomegaly: 'negative',
      Edema: 'uncertain',
      'Pleural Effusion': 'negative',
      Fracture: 'negative',
    });
  });

  it('reads a normal study in prose → No Finding', () => {
    const answer = 'The heart size is normal. The mediastinal contours are unremarkable. The lungs are clear. No acute cardiopulmonary process.';
    expect(labels(answer)).toMatchObject({ 'No Finding': 'positive', Cardiomegaly: 'negative', 'Enlarged Cardiomediastinum': 'negative' });
  });

  it('implies No Finding when pathologies are only ruled out, support devices aside', () => {
    expect(labels('No pneumothorax. A right chest tube is in place.')).toEqual({
      'No Finding': 'positive',
      Pneumothorax: 'negative',
      'Support Devices': 'positive',
    });
  });

  it('keeps "no change in" positive (prose goes to the CheXpert labeler)', () => {
    expect(labels('No change in the moderate cardiomegaly.')).toMatchObject({ Cardiomegaly: 'positive' });
  });

  it('positive beats uncertain beats negative across mentions, and keeps the evidence', () => {
    const rows = parseFindings('Pleural effusion: absent\nPleural effusion: present (small, left)\nPleural effusion: possible');
    const effusion = rows.find((r) => r.observation === 'Pleural Effusion')!;
    expect(effusion.label).toBe('positive');
    expect(effusion.evidence).toEqual(['Pleural effusion: present (small, left)']);
  });

  it('an explicit "no finding" with a positive pathology becomes negative', () => {
    expect(labels('There is no finding. Cardiomegaly is present.')['No Finding']).toBe('negative');
    expect(labels('There is no finding.')['No Finding']).toBe('positive');
    expect(labels('No finding: yes')['No Finding']).toBe('positive');
  });
});

describe('readVerdict', () => {
  it('reads list and verdict forms by the question\'s names, and leaves prose alone', () => {
    expect(readVerdict('Enlarged cardiomediastinum: absent')).toMatchObject({ observation: 'Enlarged Cardiomediastinum', label: 'negative' });
    expect(readVerdict('Pleural other - uncertain')).toMatchObject({ observation: 'Pleural Other', label: 'uncertain' });
    expect(readVerdict('Lung lesion = not present')).toMatchObject({ observation: 'Lung Lesion', label: 'negative' });
    expect(readVerdict('Support devices: none')).toMatchObject({ observation: 'Support Devices', label: 'negative' });
    expect(readVerdict('Pneumonia: cannot be excluded')).toMatchObject({ observation: 'Pneumonia', label: 'uncertain' });
    expect(readVerdict('There is a small left pleural effusion')).toBeNull();
    expect(readVerdict('Impression: normal chest')).toBeNull();
  });
});

describe('answerParts', () => {
  it('splits on full stops, new lines, semicolons and list bullets', () => {
    expect(answerParts('No effusion. Mild cardiomegaly; no edema\n- Fracture: absent\n2) Lungs clear.')).toEqual([
      'No effusion',
      'Mild cardiomegaly',
      'no edema',
      'Fracture: absent',
      'Lungs clear',
    ]);
  });
});
