/** DIR/cohort.csv: one row per patient, the columns of shared/design/CLI.md plus the mask path. */
import { formatCsv } from '../util/csv.js';
import type { SynthPatient } from './population.js';
import { imagePath, maskPath } from './render-job.js';

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
];

export function cohortCsv(population: SynthPatient[], withImages: boolean): string {
  const rows = population.map((p) => [
    p.patientId,
    withImages ? imagePath(p.patientId) : '',
    withImages ? maskPath(p.patientId) : '',
    p.age,
    p.sex,
    p.bmi,
    p.glucocorticoid,
    p.secondaryOsteoporosis,
    p.rheumatoidArthritis,
    p.priorFracture,
    p.bmdTscore,
    p.fraxMof,
    Math.round(p.outcome.followupYears * 1000) / 1000,
    p.outcome.fracture,
    p.split,
  ]);
  return formatCsv(COHORT_COLUMNS, rows);
}
