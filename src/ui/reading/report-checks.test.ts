import { describe, expect, it } from 'vitest';
import { reportChecks } from './report-checks';

describe('reportChecks', () => {
  it('finds a critical result and a Findings/Impression disagreement in one report', () => {
    const checks = reportChecks('Findings: No pleural effusion. Large right pneumothorax.\nImpression: Small left pleural effusion.');
    expect(checks.critical?.findings.map((f) => f.name)).toEqual(['pneumothorax']);
    expect(checks.critical?.documented).toBe(false);
    expect(checks.sections).toBe(
      'The findings and the impression disagree: pleural effusion is ruled out in the findings and named in the impression; pneumothorax is named in the findings and left out of the impression, which the referring clinician reads first.',
    );
  });

  it('has nothing to say of an empty or a clear report', () => {
    expect(reportChecks('  ')).toEqual({ critical: null, sections: null });
    expect(reportChecks('Findings: Clear lungs.\nImpression: No acute disease.')).toEqual({ critical: null, sections: null });
  });

  it('works out the same text once: the panel and the sign form get the same object', () => {
    const text = 'Impression: Pneumothorax, discussed with Dr Lee at 10:15.';
    const first = reportChecks(text);
    expect(first.critical?.documented).toBe(true);
    expect(reportChecks(text)).toBe(first);
    expect(reportChecks(`${text} `)).not.toBe(first);
  });
});
