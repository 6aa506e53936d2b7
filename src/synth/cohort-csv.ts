/** DIR/cohort.csv: one row per patient, the columns of shared/design/CLI.md plus the mask path. */
import { formatCsv } from '../util/csv.js';
import { COHORT_COLUMNS as COHORT_FORMAT } from '../util/cohort-format.js';
import type { SynthPatient } from './population.js';
import { imagePath, maskPath } from './render-job.js';

/** CLI.md's cohort columns, the mask label map's path beside the image. */
export const COHORT_COLUMNS: string[] = [...COHORT_FORMAT];

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
