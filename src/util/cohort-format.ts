import { isAbsolute, join } from 'node:path';

/**
 * The cohort CSV format of CLI.md, with the vertebral-body mask's path beside the image (optional: the
 * masked variants need it): the synthetic-cohort generator writes it and the study reads it (other
 * layouts are mapped onto these names by study.json).
 */
export const COHORT_COLUMNS = [
  'patient_id',
  'image',
  'mask',
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

/**
 * A cohort file's image (or mask) cell as a file path: a relative cell is relative to the cohort
 * folder (nested folders allowed), an absolute one is used as written. Every stage that opens a
 * radiograph named by a cohort goes through here, so that they all find the same file.
 */
export function cohortFilePath(cohortDir: string, cell: string): string {
  return isAbsolute(cell) ? cell : join(cohortDir, cell);
}
