/**
 * The study design: which covariates each clinical model uses (as the paper: model 1 age and sex,
 * model 2 adds BMI, model 3 adds glucocorticoid use and secondary osteoporosis), which patients each
 * subgroup holds, and the covariate matrices the models are fitted on.
 */
import type { CohortRow, Split } from './cohort.js';
import type { ClinicalModel, Subgroup } from '../report/results.js';

export type Covariate = 'age' | 'female' | 'bmi' | 'glucocorticoid' | 'secondary_osteoporosis';

export const CLINICAL_MODELS: Record<ClinicalModel, Covariate[]> = {
  1: ['age', 'female'],
  2: ['age', 'female', 'bmi'],
  3: ['age', 'female', 'bmi', 'glucocorticoid', 'secondary_osteoporosis'],
};

/** Within women sex is constant, so it is left out (a constant column cannot be fitted). */
export function covariatesFor(model: ClinicalModel, subgroup: Subgroup): Covariate[] {
  const all = CLINICAL_MODELS[model];
  return subgroup === 'women' ? all.filter((c) => c !== 'female') : all;
}

export function inSubgroup(row: CohortRow, subgroup: Subgroup): boolean {
  return subgroup === 'all' || row.female === 1;
}

export function covariateValue(row: CohortRow, c: Covariate): number {
  switch (c) {
    case 'age':
      return row.age;
    case 'female':
      return row.female;
    case 'bmi':
      return row.bmi;
    case 'glucocorticoid':
      return row.glucocorticoid;
    case 'secondary_osteoporosis':
      return row.secondaryOsteoporosis;
  }
}

/** The rows of one split and subgroup, in cohort order, as arrays the models and metrics take. */
export interface SurvivalSet {
  rows: CohortRow[];
  time: Float64Array;
  event: Uint8Array;
}

export function survivalSet(rows: CohortRow[], split: Split, subgroup: Subgroup): SurvivalSet {
  const picked = rows.filter((r) => r.split === split && inSubgroup(r, subgroup));
  return {
    rows: picked,
    time: Float64Array.from(picked, (r) => r.time),
    event: Uint8Array.from(picked, (r) => r.event),
  };
}

/** Row-major n x p matrix of the covariates. */
export function designMatrix(rows: CohortRow[], covariates: Covariate[]): Float64Array {
  const p = covariates.length;
  const x = new Float64Array(rows.length * p);
  rows.forEach((r, i) => covariates.forEach((c, j) => (x[i * p + j] = covariateValue(r, c))));
  return x;
}

/** Column arrays (what coxph takes). */
export function designColumns(rows: CohortRow[], covariates: Covariate[]): Float64Array[] {
  return covariates.map((c) => Float64Array.from(rows, (r) => covariateValue(r, c)));
}
