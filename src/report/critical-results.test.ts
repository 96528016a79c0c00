import { describe, expect, it } from 'vitest';
import { communicationDocumented, communicationProblem, communicationSentence, criticalFindings } from './critical-results';

const names = (report: string) => criticalFindings(report).map((f) => `${f.certainty === 'possible' ? '?' : ''}${f.name}`);

describe('critical findings in a report', () => {
  it('finds the findings that need communicating, most urgent first, each once', () => {
    expect(names('Small right apical pneumothorax. Heart size normal.')).toEqual(['pneumothorax']);
    expect(names('Large left tension pneumothorax with mediastinal shift. Right pneumothorax too.')).toEqual(['tension pneumothorax']);
    expect(names('Free air under the right hemidiaphragm. Cannot exclude a small pneumothorax.')).toEqual(['pneumoperitoneum', '?pneumothorax']);
    expect(names('The endotracheal tube tip is in the right mainstem bronchus.')).toEqual(['malpositioned tube']);
    expect(names('Widened mediastinum, concerning for aortic dissection.')).toEqual(['?aortic dissection']);
    expect(names('Possible pneumothorax on the left. Definite pneumothorax on the left apex.')).toEqual(['pneumothorax']);
    const [f] = criticalFindings('Findings: Lungs clear.\nImpression: Pneumomediastinum.');
    expect(f).toEqual({ name: 'pneumomediastinum', urgency: 'urgent', certainty: 'present', sentence: 'pneumomediastinum' });
  });

  it('reads answers given as lists, as the findings preset asks for them', () => {
    expect(names('1. Pneumothorax: absent\n2. Free air - no\n3. Pleural effusion: present')).toEqual([]);
    expect(names('- Pneumothorax: uncertain (small apical lucency)\n- Pneumomediastinum = yes')).toEqual(['?pneumothorax', 'pneumomediastinum']);
    expect(names('Impression: No pneumothorax. Free air: present.')).toEqual(['pneumoperitoneum']);
  });

  it('leaves out what the report rules out, and what it says is known', () => {
    for (const report of [
      'No pneumothorax. No free air under the diaphragm.',
      'The pneumothorax has resolved.',
      'Lines and tubes are in satisfactory position without malposition.',
      'Stable small left apical pneumothorax.',
      'Interval decrease of the right pneumothorax.',
      'Right apical pneumothorax, unchanged from prior.',
      'Small right pneumothorax, stable in size.',
      'Unchanged, small right pneumothorax.',
      'Impression: right pneumothorax, smaller.',
      'Heart size normal. Lungs clear.',
      '',
    ])
      expect(names(report), report).toEqual([]);
  });
});

describe('a known-word belongs to its own clause', () => {
  it('flags a new finding in a sentence that calls something else stable or unchanged', () => {
    for (const report of [
      'New right pneumothorax, unchanged tube position.',
      'Right pneumothorax and stable left pleural effusion.',
      'Large left pneumothorax with unchanged cardiomegaly.',
      'Stable cardiomegaly; new right pneumothorax.',
      'Free air under the diaphragm, unchanged lines and tubes.',
    ])
      expect(names(report).length, report).toBe(1);
  });
});

describe('documenting the communication', () => {
  const at = new Date(2026, 11, 7, 14, 32).getTime();
  const findings = [
    { name: 'pneumoperitoneum', certainty: 'present' as const },
    { name: 'pneumothorax', certainty: 'possible' as const },
  ];

  it('writes one sentence with what, to whom, how, when, by whom and the read-back', () => {
    const sentence = communicationSentence({ findings, recipient: ' Dr A Smith, Emergency Department ', method: 'by telephone', at, by: 'Dr Jane Doe', readBack: true });
    expect(sentence).toBe(
      'Critical result: pneumoperitoneum and possible pneumothorax communicated by Dr Jane Doe to Dr A Smith, Emergency Department by telephone on 2026-12-07 at 14:32; read back and confirmed.',
    );
    expect(communicationSentence({ findings: findings.slice(0, 1), recipient: 'ward nurse', method: 'in person', at, by: '', readBack: false })).toBe(
      'Critical result: pneumoperitoneum communicated to ward nurse in person on 2026-12-07 at 14:32.',
    );
    expect(communicationDocumented(`Impression: Free air.\n${sentence}`)).toBe(true);
  });

  it('recognises the ways reports word it, and not other words', () => {
    for (const text of ['Findings discussed with Dr Lee at 10:15.', 'Results were called to the ED physician.', 'Dr Park notified by phone.', 'Informed Dr Kim.'])
      expect(communicationDocumented(text), text).toBe(true);
    for (const text of ['Communicating hydrocephalus is not a chest finding.', 'Free air under the diaphragm.', 'Called the patient back for a lateral view.'])
      expect(communicationDocumented(text), text).toBe(false);
  });

  it('asks for a recipient and a time that has been', () => {
    expect(communicationProblem({ recipient: ' ', at }, at)).toMatch(/who was told/);
    expect(communicationProblem({ recipient: 'Dr A', at: NaN }, at)).toMatch(/when/);
    expect(communicationProblem({ recipient: 'Dr A', at: at + 3_600_000 }, at)).toMatch(/future/);
    expect(communicationProblem({ recipient: 'Dr A', at }, at)).toBeNull();
  });
});
