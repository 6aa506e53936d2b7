/**
 * Small pieces of wording every command shares: counts with their noun ("1 row", "2 rows"), p-values
 * in one format, and the early refusal of more covariates than rows.
 */
import { InputError } from '../util/errors.js';
import { pValue } from '../report/format.js';

/** "1 row", "2 rows", "1,595 rows". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : nouns}`;
}

export function rowCount(n: number): string {
  return plural(n, 'row');
}

/**
 * One p-value format for every text output, the report's and Table 1's: "<0.001", else three
 * decimals (report/format.ts); --json keeps the full number.
 */
export function formatP(p: number): string {
  return Number.isFinite(p) ? pValue(p) : 'NA';
}

/** "= 0.032" or "< 0.001", to follow "p". */
export function formatPEquals(p: number): string {
  const s = formatP(p);
  return s.startsWith('<') ? `< ${s.slice(1)}` : `= ${s}`;
}

/** A model with as many covariates as rows cannot be fitted: said before any work. */
export function checkCovariateCount(covariates: number, rows: number, source: string): void {
  if (covariates >= rows) {
    throw new InputError(
      `${source}: ${plural(covariates, 'covariate')} (design columns) for ${rowCount(rows)}: a model needs fewer covariates than rows`,
    );
  }
}
