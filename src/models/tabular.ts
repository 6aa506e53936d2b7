/**
 * Survival data from a CSV table (CLI.md conventions): numeric covariate columns, a time column
 * (finite, >= 0) and an event column (1 = event, 0 = censored). Errors name the file, column and line.
 * With dropMissing, rows with a missing value in a used column are left out (and counted).
 */
import { CsvTable } from '../util/csv.js';
import { dummiesFor, type FactorCoding } from '../survival/design-columns.js';
import { InputError } from '../util/errors.js';
import type { SurvivalData } from './survival-data.js';

export interface ColumnChoice {
  time: string;
  event: string;
  covariates: string[];
  dropMissing?: boolean;
}

export interface LoadedSurvival {
  data: SurvivalData;
  /** Input row (0-based) of each data row. */
  rows: Int32Array;
  dropped: number;
}

/** Row-major covariates for all rows; NaN marks a missing cell when allowed. */
export function covariateMatrix(table: CsvTable, covariates: string[], missing: 'error' | 'nan'): Float64Array {
  if (covariates.length === 0) throw new InputError(`${table.source}: no covariates given`);
  const seen = new Set<string>();
  for (const c of covariates) {
    if (seen.has(c)) throw new InputError(`covariate "${c}" is listed twice in --covariates`);
    seen.add(c);
  }
  const p = covariates.length;
  const x = new Float64Array(table.length * p);
  covariates.forEach((name, j) => {
    const col = table.numbers(name, { missing });
    for (let i = 0; i < table.length; i++) x[i * p + j] = col[i];
  });
  return x;
}

/**
 * Row-major design matrix for scoring: each model covariate is a numeric column, or a dummy of a text
 * column the model was fitted with (its stored coding: sexM is 1 where sex is M).
 */
export function designMatrix(table: CsvTable, covariates: string[], factors: FactorCoding[]): Float64Array {
  const byDummy = new Map<string, { coding: FactorCoding; k: number }>();
  for (const coding of factors) coding.dummies.forEach((d, k) => byDummy.set(d, { coding, k }));
  if (byDummy.size === 0) return covariateMatrix(table, covariates, 'error');
  const p = covariates.length;
  const x = new Float64Array(table.length * p);
  const dummies = new Map<string, Float64Array[]>();
  covariates.forEach((name, j) => {
    const d = byDummy.get(name);
    let col: Float64Array;
    if (d === undefined) col = table.numbers(name);
    else {
      if (!dummies.has(d.coding.column)) dummies.set(d.coding.column, dummiesFor(table, d.coding));
      col = dummies.get(d.coding.column)![d.k];
    }
    for (let i = 0; i < table.length; i++) x[i * p + j] = col[i];
  });
  return x;
}

export function loadSurvivalTable(table: CsvTable, choice: ColumnChoice): LoadedSurvival {
  const missing = choice.dropMissing ? 'nan' : 'error';
  const time = table.numbers(choice.time, { missing });
  const event = table.numbers(choice.event, { missing });
  const x = covariateMatrix(table, choice.covariates, missing);
  const p = choice.covariates.length;
  const keep: number[] = [];
  for (let i = 0; i < table.length; i++) {
    let complete = !Number.isNaN(time[i]) && !Number.isNaN(event[i]);
    for (let j = 0; complete && j < p; j++) if (Number.isNaN(x[i * p + j])) complete = false;
    if (!complete) continue;
    const line = CsvTable.lineOf(i);
    if (time[i] < 0) throw new InputError(`${table.source}: column "${choice.time}", line ${line}: time ${time[i]} is negative`);
    if (event[i] !== 0 && event[i] !== 1) throw new InputError(`${table.source}: column "${choice.event}", line ${line}: event must be 0 or 1, got ${event[i]}`);
    keep.push(i);
  }
  if (keep.length === 0) throw new InputError(`${table.source}: no complete rows`);
  const n = keep.length;
  const data: SurvivalData = { x: new Float64Array(n * p), n, p, time: new Float64Array(n), event: new Uint8Array(n) };
  keep.forEach((i, k) => {
    data.x.set(x.subarray(i * p, (i + 1) * p), k * p);
    data.time[k] = time[i];
    data.event[k] = event[i];
  });
  return { data, rows: Int32Array.from(keep), dropped: table.length - n };
}
