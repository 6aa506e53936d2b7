/**
 * The values a clinical covariate can take in a living patient, by cohort.csv column name. A value a
 * clinician or another system sends outside them (age -5, BMI 1e308) is a typing or unit mistake, not
 * a patient: it is refused with the range, before it is stored and scored. This is not the model's
 * training range: a plausible value outside that is still scored, with a warning (the risk is an
 * extrapolation). Covariates not listed here only need to be finite numbers.
 */

interface Range {
  min: number;
  max: number;
  unit: string;
}

/** Binary covariates of the image models (src/models/image/clinical.ts reads them as 0 or 1). */
export const BINARY_COVARIATES: ReadonlySet<string> = new Set(['glucocorticoid', 'secondary_osteoporosis', 'rheumatoid_arthritis', 'prior_fracture']);

export const PLAUSIBLE_RANGES: Readonly<Record<string, Range>> = {
  age: { min: 0, max: 120, unit: 'years' },
  bmi: { min: 10, max: 80, unit: 'kg/m²' },
  // Densitometry reports T-scores within about -6..+6; beyond ±10 is not a measurement.
  bmd_tscore: { min: -10, max: 10, unit: 'SD' },
  // A FRAX 10-year probability, in percent.
  frax: { min: 0, max: 100, unit: '%' },
  frax_score: { min: 0, max: 100, unit: '%' },
};

/** Why `value` cannot be this column's value, or null. `sex` is checked by the model's reader (F or M). */
export function clinicalRangeProblem(column: string, value: string | number): string | null {
  if (column === 'sex') return null;
  const v = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value.trim());
  if (!Number.isFinite(v)) return `must be a number, got "${String(value).slice(0, 40)}"`;
  if (BINARY_COVARIATES.has(column)) return v === 0 || v === 1 ? null : `must be 0 or 1, got ${v}`;
  const range = PLAUSIBLE_RANGES[column];
  if (range !== undefined && !(v >= range.min && v <= range.max)) return `${v} is outside ${range.min}-${range.max} ${range.unit}`;
  return null;
}
