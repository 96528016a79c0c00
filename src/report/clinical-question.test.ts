import { describe, expect, it } from 'vitest';
import { describeUnanswered, followUpFor, indicationInReport, questionsAsked, unansweredQuestions } from './clinical-question';

describe('the clinical question', () => {
  it('finds what the reason for the study asks that the report says nothing of', () => {
    expect(unansweredQuestions('Post right IJ line placement', 'Heart size normal. Lungs are clear.')).toEqual(['the lines and tubes']);
    expect(unansweredQuestions('Cough and fever for 3 days', 'Heart size normal. No pneumothorax.')).toEqual(['pneumonia']);
    expect(unansweredQuestions('Fall, rib pain; ? pneumothorax', 'Heart size normal.')).toEqual(['a pneumothorax', 'a fracture']);
    expect(unansweredQuestions('Known lung cancer, restaging', 'Heart size normal. No pleural effusion.')).toEqual(['a nodule or mass']);
    expect(unansweredQuestions('Positive PPD', 'Heart size normal. No pleural effusion.')).toEqual(['tuberculosis']);
    expect(unansweredQuestions('? Left lower lobe atelectasis', 'Heart size normal.')).toEqual(['atelectasis']);
  });

  it('takes an answer present or absent, and a normal chest for the questions of disease', () => {
    for (const [indication, report] of [
      ['Post right IJ line placement', 'Right IJ catheter tip in the SVC. No pneumothorax.'],
      ['Cough and fever', 'No focal consolidation.'],
      ['Cough and fever', 'Lungs are clear.'],
      ['Shortness of breath', 'No acute cardiopulmonary process.'],
      ['Shortness of breath', 'Mild pulmonary edema.'],
      ['? effusion', 'Small left pleural effusion.'],
      ['Hemoptysis', 'No suspicious pulmonary nodule or mass.'],
      ['Hemoptysis', 'Lungs are clear.'],
      ['Positive quantiferon', 'No focal consolidation.'],
      ['? atelectasis', 'Bibasilar atelectasis.'],
      ['Routine pre-operative', 'Heart size normal.'],
      ['', 'Anything.'],
      ['Line placement', ''],
    ])
      expect(unansweredQuestions(indication!, report!), `${indication} / ${report}`).toEqual([]);
    // A normal chest does not say where a line is.
    expect(unansweredQuestions('NG tube placement', 'Normal chest.')).toEqual(['the lines and tubes']);
  });

  it('says it in a sentence', () => {
    expect(describeUnanswered(['pneumonia'])).toBe('The reason for the study asks about pneumonia; the report does not mention it.');
    expect(describeUnanswered(['the lines and tubes'])).toBe('The reason for the study asks about the lines and tubes; the report does not mention them.');
    expect(describeUnanswered(['the lines and tubes', 'a pneumothorax', 'a fracture'])).toBe(
      'The reason for the study asks about the lines and tubes, a pneumothorax or a fracture; the report does not mention them.',
    );
    expect(describeUnanswered([])).toBeNull();
  });

  it('says what a reason asks about, of the kinds it checks', () => {
    expect(questionsAsked('Fever and cough; PICC placed today')).toEqual(['the lines and tubes', 'pneumonia']);
    expect(questionsAsked('Routine preoperative')).toEqual([]);
  });

  it('has a question to put to the model for every kind', () => {
    const every = questionsAsked('PICC; ? pneumothorax, effusion, fever, CHF, fall, nodule, TB, atelectasis');
    expect(every).toHaveLength(9);
    for (const what of every) expect(followUpFor(what), what).toMatch(/^(?:Is|Are) there .+\?$/);
    expect(followUpFor('a pneumothorax')).toBe('Is there a pneumothorax?');
    expect(followUpFor('something else')).toBeUndefined();
  });

  it("reads the indication out of a full report's own section, up to the next one", () => {
    const mimic = 'FINAL REPORT\n EXAMINATION:  CHEST (PA AND LAT)\n\n INDICATION:  ___F with cough and fever\n  // eval for pneumonia\n\n TECHNIQUE:  Chest PA and lateral\n\n FINDINGS: \n No focal consolidation.';
    expect(indicationInReport(mimic)).toBe('___F with cough and fever // eval for pneumonia');
    expect(indicationInReport('Clinical history: Shortness of breath. Findings: Normal heart size.')).toBe('Shortness of breath.');
    expect(indicationInReport('Reason for exam: line placement')).toBe('line placement');
    expect(indicationInReport('Findings: Normal heart size. Impression: Normal chest.')).toBeUndefined();
    expect(indicationInReport('INDICATION: \nFINDINGS: clear')).toBeUndefined();
  });
});
