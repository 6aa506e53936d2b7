/**
 * Small pieces of wording every command shares: counts with their noun ("1 row", "2 rows"), p-values
 * in one format, and the early refusal of more covariates than rows.
 */
import { InputError } from '../util/errors.js';

/** "1 row", "2 rows", "1,595 rows". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : nouns}`;
}

export function rowCount(n: number): string {
  return plural(n, 'row');
}

/**
 * One p-value format for every text output: 3 significant digits, "< 0.001" below that (as a paper
 * prints it); --json keeps the full number.
 */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'NA';
  if (p < 0.001) return '< 0.001';
  return p >= 0.1 ? p.toFixed(2) : p.toPrecision(2);
}

/** A model with as many covariates as rows cannot be fitted: said before any work. */
export function checkCovariateCount(covariates: number, rows: number, source: string): void {
  if (covariates >= rows) {
    throw new InputError(
      `${source}: ${plural(covariates, 'covariate')} (design columns) for ${rowCount(rows)}: a model needs fewer covariates than rows`,
    );
  }
}
