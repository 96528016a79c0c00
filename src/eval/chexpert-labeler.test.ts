import { describe, expect, it } from 'vitest';
import { aggregate, cleanText, labelPhrases, labelReport, labelReportDetailed, OBSERVATIONS, splitSentences, type LabelVector, type Observation } from './chexpert-labeler';
import type { MentionedObservation } from './chexpert-phrases';

/** Only the mentioned observations (and No Finding when set), for exact comparisons. */
function definite(labels: LabelVector): Partial<Record<Observation, number>> {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== null)) as Partial<Record<Observation, number>>;
}

// For each observation: a plain positive mention, a negation, an uncertainty.
const CASES: [MentionedObservation, string, string, string][] = [
  ['Enlarged Cardiomediastinum', 'The mediastinum is widened.', 'No mediastinal widening.', 'The cardiomediastinal silhouette may be enlarged.'],
  ['Cardiomegaly', 'Moderate cardiomegaly.', 'Heart size is normal.', 'Possible mild cardiomegaly.'],
  ['Lung Lesion', 'There is a 2 cm mass in the left upper lobe.', 'No pulmonary nodules.', 'Questionable nodule in the right lower lobe.'],
  ['Lung Opacity', 'Patchy bibasilar opacities.', 'No focal opacity.', 'Possible opacity at the right base.'],
  ['Edema', 'Moderate pulmonary edema.', 'No pulmonary edema.', 'Mild interstitial edema is possible.'],
  ['Consolidation', 'Right lower lobe consolidation.', 'No focal consolidation.', 'Consolidation cannot be excluded.'],
  ['Pneumonia', 'Right lower lobe pneumonia.', 'No evidence of pneumonia.', 'Findings may represent pneumonia.'],
  ['Atelectasis', 'Bibasilar atelectasis.', 'There is no atelectasis.', 'Likely atelectasis at the left base.'],
  ['Pneumothorax', 'Large right pneumothorax.', 'No pneumothorax.', 'Possible small apical pneumothorax.'],
  ['Pleural Effusion', 'Small bilateral pleural effusions.', 'No pleural effusion.', 'A small left pleural effusion is suspected.'],
  ['Pleural Other', 'Left apical pleural thickening.', 'No pleural thickening.', 'Probable pleural thickening at the right apex.'],
  ['Fracture', 'Acute displaced fracture of the right fifth rib.', 'No displaced rib fracture.', 'Questionable fracture of the left seventh rib.'],
  ['Support Devices', 'Endotracheal tube terminates 4 cm above the carina.', 'The endotracheal tube has been removed.', 'Nasogastric tube is likely in the stomach.'],
];

describe('CheXpert-style labeler: each observation', () => {
  it('covers all 13 mentioned observations plus No Finding', () => {
    expect(new Set(CASES.map((c) => c[0]))).toEqual(new Set(OBSERVATIONS.filter((o) => o !== 'No Finding')));
  });

  for (const [obs, positive, negative, uncertain] of CASES) {
    it(`${obs}: positive, negative, uncertain`, () => {
      expect(labelReport(positive)[obs], positive).toBe(1);
      expect(labelReport(negative)[obs], negative).toBe(0);
      expect(labelReport(uncertain)[obs], uncertain).toBe(-1);
    });
  }

  it('No Finding: 1 when nothing is positive or uncertain, blank otherwise (never 0), Support Devices aside', () => {
    expect(definite(labelReport('No acute cardiopulmonary process.'))).toEqual({ 'No Finding': 1 });
    expect(definite(labelReport('No pleural effusion or pneumothorax. Heart size is normal.'))).toEqual({
      'No Finding': 1,
      'Pleural Effusion': 0,
      Pneumothorax: 0,
      Cardiomegaly: 0,
    });
    expect(labelReport('Small left pleural effusion.')['No Finding']).toBeNull();
    expect(labelReport('Possible small left pleural effusion.')['No Finding']).toBeNull();
    expect(definite(labelReport('Right PICC line with tip in the SVC. No pneumothorax.'))).toEqual({ 'No Finding': 1, 'Support Devices': 1, Pneumothorax: 0 });
    // Other abnormalities with no column of their own (CheXpert's no_finding.txt) still rule it out.
    expect(definite(labelReport('Calcified granuloma in the right upper lobe.'))).toEqual({});
    expect(labelReport('Emphysema. No pneumothorax.')['No Finding']).toBeNull();
    // An empty report mentions nothing: CheXpert calls it No Finding.
    expect(definite(labelReport(''))).toEqual({ 'No Finding': 1 });
  });
});

describe('CheXpert-style labeler: mention phrases', () => {
  it('synonyms: effusion / pleural fluid; enlarged heart / heart size is enlarged; heart failure', () => {
    expect(labelReport('Layering pleural fluid on the right.')['Pleural Effusion']).toBe(1);
    expect(labelReport('Enlarged heart.').Cardiomegaly).toBe(1);
    expect(labelReport('The heart size is enlarged.').Cardiomegaly).toBe(1);
    expect(labelReport('The heart is not enlarged.').Cardiomegaly).toBe(0);
    expect(labelReport('Normal heart size.').Cardiomegaly).toBe(0);
    expect(labelReport('The cardiac silhouette is within normal limits.').Cardiomegaly).toBe(0);
    // CheXpert: an asserted "chf" / "heart failure" is Edema and an uncertain Cardiomegaly.
    expect(definite(labelReport('Findings consistent with congestive heart failure.'))).toEqual({ Edema: 1, Cardiomegaly: -1 });
    expect(definite(labelReport('No CHF.'))).toEqual({ 'No Finding': 1, Edema: 0 });
    expect(labelReport('Mild pulmonary vascular congestion.').Edema).toBe(-1);
  });

  it('unmentions: pericardial effusion, devices "over the heart", calcified nodules', () => {
    expect(labelReport('Small pericardial effusion.')['Pleural Effusion']).toBeNull();
    expect(definite(labelReport('Pacemaker leads project over the heart.'))).toEqual({ 'No Finding': 1, 'Support Devices': 1 });
    expect(labelReport('Calcified nodule in the left lower lobe.')['Lung Lesion']).toBeNull();
    expect(labelReport('Massive right pleural effusion.')['Lung Lesion']).toBeNull();
  });

  it('matches whole words, plurals and stems: atelectatic, opacities, fractures; not "tuberculosis"', () => {
    expect(labelReport('Atelectatic changes at the bases.').Atelectasis).toBe(1);
    expect(labelReport('Bilateral opacities.')['Lung Opacity']).toBe(1);
    expect(labelReport('Healed rib fractures.').Fracture).toBe(1);
    expect(labelReport('History of tuberculosis.')['Support Devices']).toBeNull();
    expect(labelReport('Air-space disease in the right lower lobe.')['Lung Opacity']).toBe(1);
  });
});

describe('CheXpert-style labeler: tricky cases', () => {
  it('negation scope ends at "but" (and at a new clause)', () => {
    expect(definite(labelReport('No pneumothorax, but there is a small left pleural effusion.'))).toEqual({ Pneumothorax: 0, 'Pleural Effusion': 1 });
    expect(definite(labelReport('There is no pleural effusion and the heart is enlarged.'))).toEqual({ 'Pleural Effusion': 0, Cardiomegaly: 1 });
    expect(definite(labelReport('No pneumothorax is seen and there is mild cardiomegaly.'))).toEqual({ Pneumothorax: 0, Cardiomegaly: 1 });
    expect(definite(labelReport('Normal heart size with no edema but small bilateral effusions.'))).toEqual({ Cardiomegaly: 0, Edema: 0, 'Pleural Effusion': 1 });
  });

  it('a negation covers a list: "no focal consolidation, pleural effusion, or pneumothorax"', () => {
    expect(definite(labelReport('There is no focal consolidation, pleural effusion, or pneumothorax.'))).toEqual({
      'No Finding': 1,
      Consolidation: 0,
      'Pleural Effusion': 0,
      Pneumothorax: 0,
    });
    expect(definite(labelReport('Lungs are clear without consolidation, effusion, or edema.'))).toEqual({
      'No Finding': 1,
      Consolidation: 0,
      'Pleural Effusion': 0,
      Edema: 0,
    });
  });

  it('a cue before the mention does not reach back: "cardiomegaly without overt edema"', () => {
    expect(definite(labelReport('Cardiomegaly without overt edema.'))).toEqual({ Cardiomegaly: 1, Edema: 0 });
    expect(definite(labelReport('Cardiomegaly with normal lungs.'))).toEqual({ Cardiomegaly: 1 });
    expect(definite(labelReport('Patchy opacity which may represent atelectasis.'))).toEqual({ 'Lung Opacity': 1, Atelectasis: -1 });
  });

  it('"no change in the small left effusion" is positive (a pseudo-negation)', () => {
    expect(definite(labelReport('No change in the small left effusion.'))).toEqual({ 'Pleural Effusion': 1 });
    expect(labelReport('No significant interval change in the moderate right pneumothorax.').Pneumothorax).toBe(1);
  });

  it('"resolved pneumothorax" and "the pneumothorax has resolved" are negative', () => {
    expect(definite(labelReport('Resolved pneumothorax.'))).toEqual({ 'No Finding': 1, Pneumothorax: 0 });
    expect(labelReport('The right pneumothorax has resolved.').Pneumothorax).toBe(0);
    expect(labelReport('The previously seen pneumothorax is no longer visualized.').Pneumothorax).toBe(0);
    expect(labelReport('Interval resolution of the left pleural effusion.')['Pleural Effusion']).toBe(0);
  });

  it('double mentions: positive beats uncertain and negative; uncertain beats negative (CheXpert Aggregator)', () => {
    expect(labelReport('Small left effusion. No right effusion.')['Pleural Effusion']).toBe(1);
    expect(labelReport('No right effusion. Small left effusion.')['Pleural Effusion']).toBe(1);
    expect(labelReport('Possible small left effusion. Moderate right effusion.')['Pleural Effusion']).toBe(1);
    expect(labelReport('No right effusion. Possible small left effusion.')['Pleural Effusion']).toBe(-1);
    expect(labelReport('No right effusion. No left effusion.')['Pleural Effusion']).toBe(0);
    const d = labelReportDetailed('No right effusion. Small left effusion.');
    expect(d.mentions.map((m) => [m.observation, m.label])).toEqual([
      ['Pleural Effusion', 0],
      ['Pleural Effusion', 1],
    ]);
  });

  it('uncertainty cues: versus, or, cannot be excluded, suggestive of, no new, borderline, stable heart size', () => {
    expect(definite(labelReport('Left basilar opacity, atelectasis versus pneumonia.'))).toEqual({ 'Lung Opacity': 1, Atelectasis: -1, Pneumonia: -1 });
    expect(definite(labelReport('Atelectasis and/or pneumonia.'))).toEqual({ Atelectasis: -1, Pneumonia: -1 });
    expect(labelReport('Findings suggestive of pneumonia.').Pneumonia).toBe(-1);
    expect(labelReport('Pneumonia cannot be excluded.').Pneumonia).toBe(-1);
    expect(labelReport('Cannot exclude a small pneumothorax.').Pneumothorax).toBe(-1);
    expect(labelReport('No new consolidation.').Consolidation).toBe(-1);
    expect(labelReport('Borderline heart size.').Cardiomegaly).toBe(-1);
    expect(labelReport('Heart size is stable.').Cardiomegaly).toBe(-1);
    expect(labelReport('Stable mild cardiomegaly.').Cardiomegaly).toBe(1);
    // Negation is checked before the later uncertainty cues: "no effusion or pneumothorax" is negative.
    expect(definite(labelReport('No effusion or pneumothorax.'))).toEqual({ 'No Finding': 1, 'Pleural Effusion': 0, Pneumothorax: 0 });
    // A pre-negation uncertainty wins over the negation inside it.
    expect(labelReport('Small pleural effusions cannot be excluded, but no large pneumothorax is seen.')).toMatchObject({ 'Pleural Effusion': -1, Pneumothorax: 0 });
  });

  it('a whole report (CheXpert sample_reports.csv)', () => {
    expect(definite(labelReport('Heart size normal and lungs are clear. No edema or pneumonia. No effusion'))).toEqual({
      'No Finding': 1,
      Cardiomegaly: 0,
      Edema: 0,
      Pneumonia: 0,
      'Pleural Effusion': 0,
    });
    expect(definite(labelReport('1. Left pleural effusion with adjacent atelectasis. Right effusion is also present.\n\n2. Cardiomegaly without overt edema.'))).toEqual({
      'Pleural Effusion': 1,
      Atelectasis: 1,
      Cardiomegaly: 1,
      Edema: 0,
    });
    expect(definite(labelReport('Minimal patchy airspace disease within the lingula, may reflect atelectasis or consolidation.'))).toEqual({
      'Lung Opacity': 1,
      Atelectasis: -1,
      Consolidation: -1,
    });
  });

  it('a CXR-LLaVA style report', () => {
    const report =
      'The lungs are well expanded. There is a small right pleural effusion with adjacent atelectasis. ' +
      'No pneumothorax is identified. The heart size is mildly enlarged. There is no pulmonary edema. ' +
      'A right internal jugular catheter terminates in the SVC.';
    expect(definite(labelReport(report))).toEqual({ 'Pleural Effusion': 1, Atelectasis: 1, Pneumothorax: 0, Cardiomegaly: 1, Edema: 0, 'Support Devices': 1 });
  });
});

describe('CheXpert-style labeler: text handling', () => {
  it('cleans like CheXpert: lower case, and/or -> or, a/b -> a or b', () => {
    expect(cleanText('  Atelectasis and/or   Pneumonia/Effusion ')).toBe('atelectasis or pneumonia or effusion');
  });

  it('splits sentences at . ? ! ; : and list markers, not inside numbers or at a line wrap', () => {
    expect(splitSentences('FINDINGS: Nodule measures 1.5 cm; no effusion.\nNo\npneumothorax? 2. Mild cardiomegaly')).toEqual([
      'findings',
      'nodule measures 1.5 cm',
      'no effusion',
      'no pneumothorax',
      'mild cardiomegaly',
    ]);
    // A wrapped line stays one sentence, so the negation still covers the mention.
    expect(labelReport('There is no\npleural effusion.')['Pleural Effusion']).toBe(0);
  });

  it('aggregate() is CheXpert Aggregator.dict_to_vec', () => {
    const v = aggregate([
      { observation: 'Edema', label: 0 },
      { observation: 'Edema', label: -1 },
      { observation: 'Atelectasis', label: -1 },
      { observation: 'Atelectasis', label: 1 },
      { observation: 'Fracture', label: 0 },
      { observation: 'Fracture', label: 1 },
    ]);
    expect(definite(v)).toEqual({ Edema: -1, Atelectasis: 1, Fracture: 1 });
  });
});

describe('CheXpert-style labeler: phrases of other findings', () => {
  it('labels them with the same negation and uncertainty cues, per sentence', () => {
    const phrases = { air: ['free air', 'pneumoperitoneum'], dissection: ['aortic dissection'], tube: ['malposition*'] };
    const got = labelPhrases(
      'No free air. Free air under the right hemidiaphragm. Cannot exclude aortic dissection. Tubes in place without malposition. The enteric tube is malpositioned.',
      phrases,
    ).map((m) => [m.name, m.text, m.label, m.reason]);
    expect(got).toEqual([
      ['air', 'free air', 0, 'negation'],
      ['air', 'free air', 1, 'positive'],
      ['dissection', 'aortic dissection', -1, 'pre-negation uncertainty'],
      ['tube', 'malposition', 0, 'negation'],
      ['tube', 'malpositioned', 1, 'positive'],
    ]);
    expect(labelPhrases('Heart size normal.', phrases)).toEqual([]);
  });
});
