/** Loads the R reference data and values in test/fixtures/survival/ for the survival and stats tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCsv, type CsvTable } from '../../src/util/csv.js';

export const fixtureDir = fileURLToPath(new URL('../../../test/fixtures/survival/', import.meta.url));

export function fixture(name: string): string {
  return fixtureDir + name;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const reference: Json = JSON.parse(readFileSync(fixture('reference.json'), 'utf8'));
export const more: Json = JSON.parse(readFileSync(fixture('more-references.json'), 'utf8'));
/** Log-rank, Table 1 tests and the GND calibration test from R (honest-references.R). */
export const honest: Json = JSON.parse(readFileSync(fixture('honest-references.json'), 'utf8'));

/** A CSV fixture restricted to rows complete in the given columns (R's complete.cases). */
export function completeCases(name: string, columns: string[]): CsvTable {
  const t = readCsv(fixture(name));
  const idx = columns.map((c) => t.columnIndex(c));
  return t.filterRows((i) => idx.every((j) => (t.rows[i][j] ?? '').trim() !== ''));
}

export function assertClose(actual: number, expected: number, tol: number, what: string, relative = false): void {
  const err = relative ? Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300) : Math.abs(actual - expected);
  if (!(err <= tol)) throw new Error(`${what}: got ${actual}, R gives ${expected} (${relative ? 'relative ' : ''}error ${err} > ${tol})`);
}

export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string, relative = false): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, R has ${expected.length}`);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], tol, `${what}[${i}]`, relative);
}
