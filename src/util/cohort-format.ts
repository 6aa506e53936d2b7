/**
 * The cohort CSV format of CLI.md: the synthetic-cohort generator writes it and the study reads it
 * (other layouts are mapped onto these names by study.json).
 */
export const COHORT_COLUMNS = [
  'patient_id',
  'image',
  'age',
  'sex',
  'bmi',
  'glucocorticoid',
  'secondary_osteoporosis',
  'rheumatoid_arthritis',
  'prior_fracture',
  'bmd_tscore',
  'frax_mof',
  'followup_years',
  'fracture',
  'split',
] as const;
export type CohortColumn = (typeof COHORT_COLUMNS)[number];
