/**
 * Why each file of the export was taken or left, as a short code (for counting and filtering the
 * report) and a sentence (for reading it). The codes are fixed: docs/cohort-import.md lists them.
 */
export type DecisionCode =
  | 'baseline-lateral'
  | 'picked'
  | 'dicomdir'
  | 'not-dicom'
  | 'unreadable'
  | 'no-patient-field'
  | 'no-clinical-row'
  | 'other-modality'
  | 'other-body-part'
  | 'body-part-unknown'
  | 'frontal-view'
  | 'oblique-view'
  | 'view-unknown'
  | 'no-study-date'
  | 'later-study'
  | 'another-lateral'
  | 'another-picked'
  | 'no-radiograph';

export interface Decision {
  taken: boolean;
  code: DecisionCode;
  reason: string;
}

export const taken = (code: DecisionCode, reason: string): Decision => ({ taken: true, code, reason });
export const left = (code: DecisionCode, reason: string): Decision => ({ taken: false, code, reason });
