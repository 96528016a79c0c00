import { describe, expect, it } from 'vitest';
import { contradictions, criticalLeftOut, sectionDisagreements } from './section-agreement';

describe('the findings against the impression', () => {
  it('finds a finding ruled out in one section and named in the other, either way round', () => {
    expect(contradictions('Findings: No pneumothorax. Heart size normal.\nImpression: Small right pneumothorax.')).toEqual([{ finding: 'pneumothorax', ruledOutIn: 'findings' }]);
    expect(contradictions('Findings: Small left pleural effusion.\nImpression: No acute process. No pleural effusion.')).toEqual([{ finding: 'pleural effusion', ruledOutIn: 'impression' }]);
    // Possible counts as named.
    expect(contradictions('Findings: No consolidation.\nImpression: Possible early pneumonia. Cannot exclude consolidation.')).toEqual([{ finding: 'consolidation', ruledOutIn: 'findings' }]);
  });

  it('says every disagreement, sides included, and nothing when they agree', () => {
    expect(sectionDisagreements('Findings: Small right pleural effusion. No pneumothorax.\nImpression: Small left pleural effusion. Pneumothorax.')).toEqual([
      'pneumothorax is ruled out in the findings and named in the impression',
      'pleural effusion is right in the findings and left in the impression',
    ]);
    for (const report of [
      'Findings: Right pneumothorax. No left pneumothorax.\nImpression: Right pneumothorax.',
      'Findings: Lungs clear. No effusion.\nImpression: No acute disease.',
      'Findings: ET tube in place. No pneumothorax.\nImpression: Support devices as above.',
      'No pneumothorax. Small pneumothorax.',
    ])
      expect(sectionDisagreements(report), report).toEqual([]);
  });

  it('finds a critical finding named in the findings and left out of the impression', () => {
    expect(criticalLeftOut('Findings: Small right apical pneumothorax. Free air under the diaphragm.\nImpression: Free air, concerning for perforation.')).toEqual(['pneumothorax']);
    expect(sectionDisagreements('Findings: Small right apical pneumothorax.\nImpression: No acute cardiopulmonary process.')).toEqual([
      'pneumothorax is named in the findings and left out of the impression, which the referring clinician reads first',
    ]);
    for (const report of [
      'Findings: Large right pneumothorax with mediastinal shift.\nImpression: Right tension pneumothorax.',
      'Findings: Stable small right pneumothorax.\nImpression: No new abnormality.',
      'Findings: No pneumothorax.\nImpression: Normal chest.',
    ])
      expect(criticalLeftOut(report), report).toEqual([]);
    // Ruled out in the impression: a contradiction, said once.
    expect(sectionDisagreements('Findings: Small right pneumothorax.\nImpression: No pneumothorax.')).toEqual(['pneumothorax is ruled out in the impression and named in the findings']);
  });
});
