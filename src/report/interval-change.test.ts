import { describe, expect, it } from 'vitest';
import { describeIntervalChange, intervalChange, reportLabels } from './interval-change';

describe('the report on screen against a prior report', () => {
  it('sorts what each names: ruled out then, not mentioned then, ruled out now, not mentioned now, both', () => {
    const prior = 'Findings: Cardiomegaly. Small left pleural effusion. No pneumothorax. Right basal atelectasis.';
    const now = 'Findings: Cardiomegaly. No pleural effusion. Small right apical pneumothorax. Possible right lower lobe consolidation.';
    const c = intervalChange(prior, now)!;
    // The prior read once and kept gives the same answer.
    expect(intervalChange(reportLabels(prior), now)).toEqual(c);
    expect(c).toEqual({
      ruledOutBefore: ['pneumothorax'],
      notMentionedBefore: ['possible consolidation'],
      ruledOutNow: ['pleural effusion'],
      notMentionedNow: ['atelectasis'],
      both: ['cardiomegaly'],
    });
    expect(describeIntervalChange(c)).toEqual([
      'Named now, ruled out in this report: pneumothorax.',
      'Named now, not mentioned in this report: possible consolidation.',
      'Named in this report, ruled out now: pleural effusion.',
      'Named in this report, not mentioned now: atelectasis.',
      'Named in both: cardiomegaly.',
    ]);
  });

  it('reads list answers too, and says nothing when there is nothing to set side by side', () => {
    expect(intervalChange('Pneumothorax: present\nEdema: absent', 'Pneumothorax: absent\nEdema: uncertain')).toMatchObject({ ruledOutNow: ['pneumothorax'], ruledOutBefore: ['possible edema'] });
    expect(describeIntervalChange(intervalChange('No acute disease.', 'Heart size normal. Lungs clear.')!)).toEqual([]);
    expect(intervalChange('', 'Cardiomegaly.')).toBeNull();
    expect(reportLabels(' ')).toBeNull();
    expect(intervalChange(reportLabels(''), 'Cardiomegaly.')).toBeNull();
    expect(intervalChange('Cardiomegaly.', ' ')).toBeNull();
  });
});
