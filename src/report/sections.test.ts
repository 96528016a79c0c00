import { describe, expect, it } from 'vitest';
import { impressionStart, reportSections } from './sections';

describe('report sections', () => {
  it('reads the Findings and the Impression apart, only when the report has both', () => {
    const s = reportSections('FINDINGS: Small right effusion.\nIMPRESSION: Effusion.');
    expect([s?.findings.trim(), s?.impression.trim()]).toEqual(['Small right effusion.', 'Effusion.']);
    expect(reportSections('Small right effusion.')).toBeNull();
  });

  it('finds where the impression starts: after its heading, when it is the last section and findings come before it', () => {
    const report = 'Findings: No pneumothorax.\nImpression: Pneumothorax.';
    expect(report.slice(0, impressionStart(report)!)).toBe('Findings: No pneumothorax.\nImpression:');
    const upper = 'FINDINGS:\nClear lungs.\n\nCONCLUSION\n1. Normal.';
    expect(upper.slice(0, impressionStart(upper)!)).toBe('FINDINGS:\nClear lungs.\n\nCONCLUSION');
    // No findings before it, or findings after it: nothing to rewrite it from, or not the last section.
    expect(impressionStart('Impression: Normal.')).toBeNull();
    expect(impressionStart('Impression: Normal.\nFindings: Clear.')).toBeNull();
    expect(impressionStart('Clear lungs. Normal heart.')).toBeNull();
  });
});
