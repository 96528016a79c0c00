import { describe, expect, it } from 'vitest';
import { describeConflict, lateralityConflicts } from './laterality';
import { reportSections } from './sections';

describe('the laterality check', () => {
  it('finds a finding put on one side in the Findings and on the other in the Impression', () => {
    const [c, ...rest] = lateralityConflicts('Findings: Small right pleural effusion. Left basal atelectasis.\nImpression: Small left pleural effusion.');
    expect(rest).toEqual([]);
    expect(describeConflict(c!)).toBe('pleural effusion is right in the findings and left in the impression');
    // The side after the finding, headings in capitals on lines of their own, a clause per side.
    expect(lateralityConflicts('FINDINGS:\nPleural effusion on the right.\n\nIMPRESSION:\nLeft pleural effusion.')).toEqual([{ finding: 'pleural effusion', findings: ['right'], impression: ['left'] }]);
    expect(lateralityConflicts('Findings: Right pleural effusion and left basal atelectasis.\nImpression: Right effusion. Right basal atelectasis.')).toEqual([
      { finding: 'atelectasis', findings: ['left'], impression: ['right'] },
    ]);
    expect(lateralityConflicts('Findings: Consolidation in the right lower lobe.\nConclusion: Left lower lobe consolidation.')).toEqual([{ finding: 'consolidation', findings: ['right'], impression: ['left'] }]);
    // A side ruled out does not count: only what is named.
    expect(lateralityConflicts('Findings: No left pneumothorax. Right pneumothorax.\nImpression: Left pneumothorax.')).toEqual([{ finding: 'pneumothorax', findings: ['right'], impression: ['left'] }]);
  });

  it('leaves alone what agrees, narrows, is on both sides, or has no sections to compare', () => {
    for (const report of [
      'Findings: Right apical pneumothorax.\nImpression: Right pneumothorax.',
      'Findings: Bilateral pleural effusions.\nImpression: Left pleural effusion.',
      'Findings: Right pleural effusion, left pleural effusion.\nImpression: Left pleural effusion.',
      'Findings: Right pleural effusion.\nImpression: Pleural effusion.',
      'Right pneumothorax. Left pneumothorax.',
      'Findings: Right pleural effusion.\nImpression: No left pleural effusion.',
    ])
      expect(lateralityConflicts(report), report).toEqual([]);
  });

  it('reads the sections, each heading to the next', () => {
    const words = (s: string | undefined) => s?.replace(/\s+/g, ' ').trim();
    const sections = reportSections('Findings: a.\nImpression: b.\nFindings: c.');
    expect([words(sections?.findings), words(sections?.impression)]).toEqual(['a. c.', 'b.']);
    expect(reportSections('Findings: a.')).toBeNull();
    expect(reportSections('No headings at all.')).toBeNull();
  });
});
