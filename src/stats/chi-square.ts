/**
 * Pearson's chi-square test of independence on an r x c contingency table, as R's chisq.test: with
 * Yates' continuity correction for 2 x 2 tables when asked (R's default correct = TRUE applies it to
 * 2 x 2 only, and never more than |O - E|).
 */
import { InputError } from '../util/errors.js';
import { chiSquareUpper } from './distributions.js';

export interface ChiSquareResult {
  statistic: number;
  df: number;
  p: number;
  expected: number[][];
  /** The smallest expected count (below 5 suggests Fisher's exact test). */
  minExpected: number;
  corrected: boolean;
}

export function chiSquareTest(table: number[][], options: { correct?: boolean } = {}): ChiSquareResult {
  const r = table.length;
  const c = r > 0 ? table[0].length : 0;
  if (r < 2 || c < 2) throw new InputError(`chi-square test needs at least a 2 x 2 table (got ${r} x ${c})`);
  const rows = table.map((row) => {
    if (row.length !== c) throw new InputError('chi-square test: ragged table');
    return row.reduce((a, b) => a + b, 0);
  });
  const cols = Array.from({ length: c }, (_, j) => table.reduce((a, row) => a + row[j], 0));
  const n = rows.reduce((a, b) => a + b, 0);
  const corrected = (options.correct ?? false) && r === 2 && c === 2;
  let yates = 0;
  const expected = table.map((row, i) => row.map((_, j) => (rows[i] * cols[j]) / n));
  if (corrected) {
    yates = 0.5;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) yates = Math.min(yates, Math.abs(table[i][j] - expected[i][j]));
  }
  let statistic = 0;
  let minExpected = Infinity;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const e = expected[i][j];
      minExpected = Math.min(minExpected, e);
      const d = Math.abs(table[i][j] - e) - yates;
      statistic += (d * d) / e;
    }
  }
  const df = (r - 1) * (c - 1);
  return { statistic, df, p: chiSquareUpper(statistic, df), expected, minExpected, corrected };
}
