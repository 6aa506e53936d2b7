/**
 * Clinical covariates of the image models, by cohort.csv column name (age, sex, bmi, glucocorticoid,
 * secondary_osteoporosis): parsed from CSV cells or CLI flags into numbers (sex: female = 1 for "F",
 * 0 for "M"), with the training ranges stored in the model so that a new patient outside them is
 * warned about. A missing or malformed value is an InputError naming the row and field.
 */
import { InputError } from '../../util/errors.js';
import { isMissingCell } from '../../util/csv.js';

export type ClinicalValues = Record<string, string | number | undefined>;

const BINARY = new Set(['glucocorticoid', 'secondary_osteoporosis', 'rheumatoid_arthritis', 'prior_fracture']);

/** One covariate's numeric value; `where` names the row or flag in the error. */
export function clinicalValue(column: string, raw: string | number | undefined, where: string): number {
  if (raw === undefined || (typeof raw === 'string' && isMissingCell(raw))) throw new InputError(`${where}: missing value for "${column}" (the model needs it)`);
  if (column === 'sex') {
    const s = String(raw).trim().toUpperCase();
    if (s === 'F') return 1;
    if (s === 'M') return 0;
    throw new InputError(`${where}: "sex" must be F or M, got "${raw}"`);
  }
  const v = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(v)) throw new InputError(`${where}: "${column}" must be a number, got "${raw}"`);
  if (BINARY.has(column) && v !== 0 && v !== 1) throw new InputError(`${where}: "${column}" must be 0 or 1, got "${raw}"`);
  return v;
}

/** Row-major n x p matrix of the covariates. */
export function clinicalMatrix(rows: ClinicalValues[], columns: string[], where: (i: number) => string): Float64Array {
  const p = columns.length;
  const x = new Float64Array(rows.length * p);
  rows.forEach((r, i) => columns.forEach((c, j) => (x[i * p + j] = clinicalValue(c, r[c], where(i)))));
  return x;
}

/** Per covariate: the smallest and largest training value. */
export type TrainingRanges = Record<string, [number, number]>;

export function trainingRanges(x: Float64Array, n: number, columns: string[]): TrainingRanges {
  const out: TrainingRanges = {};
  columns.forEach((c, j) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, x[i * columns.length + j]);
      hi = Math.max(hi, x[i * columns.length + j]);
    }
    out[c] = [lo, hi];
  });
  return out;
}

/** Warnings for values outside the training ranges (the model is extrapolating there). */
export function rangeWarnings(values: ArrayLike<number>, columns: string[], ranges: TrainingRanges): string[] {
  const out: string[] = [];
  columns.forEach((c, j) => {
    const r = ranges[c];
    if (r === undefined) return;
    const v = values[j];
    if (v < r[0] || v > r[1]) {
      out.push(c === 'sex'
        ? `sex ${v === 1 ? 'F' : 'M'} was not in the training data`
        : `${c} ${v} is outside the training range ${r[0]}-${r[1]}; the risk is an extrapolation`);
    }
  });
  return out;
}
