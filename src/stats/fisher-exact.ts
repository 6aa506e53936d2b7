/**
 * Fisher's exact test, two-sided, as R's fisher.test: the p-value sums the probabilities of all tables
 * with the observed margins that are no more likely than the observed one (relative tolerance 1e-7).
 * 2 x 2 tables use the hypergeometric distribution (stdlib); larger tables are enumerated (exact,
 * fine for the small counts where Fisher's test is used; an error past maxTables).
 */
import { InputError } from '../util/errors.js';
import { hypergeometricPmf } from './distributions.js';

export interface FisherResult {
  p: number;
  /** Conditional MLE odds ratio is not computed; this is the sample odds ratio (2 x 2 only). */
  oddsRatio?: number;
}

export function fisherExact(table: number[][], maxTables = 5_000_000): FisherResult {
  const r = table.length;
  const c = r > 0 ? table[0].length : 0;
  if (r < 2 || c < 2) throw new InputError(`Fisher's exact test needs at least a 2 x 2 table (got ${r} x ${c})`);
  for (const row of table) for (const v of row) if (!Number.isInteger(v) || v < 0) throw new InputError(`Fisher's exact test needs non-negative integer counts (got ${v})`);
  if (r === 2 && c === 2) return fisher2x2(table);
  return { p: fisherEnumerate(table, maxTables) };
}

function fisher2x2(t: number[][]): FisherResult {
  const [[a, b], [cc, d]] = t;
  const n = a + b + cc + d;
  const rowTop = a + b;
  const colLeft = a + cc;
  const lo = Math.max(0, colLeft - (n - rowTop));
  const hi = Math.min(rowTop, colLeft);
  const pObs = hypergeometricPmf(a, n, colLeft, rowTop);
  let p = 0;
  for (let k = lo; k <= hi; k++) {
    const pk = hypergeometricPmf(k, n, colLeft, rowTop);
    if (pk <= pObs * (1 + 1e-7)) p += pk;
  }
  return { p: Math.min(1, p), oddsRatio: (a * d) / (b * cc) };
}

function fisherEnumerate(table: number[][], maxTables: number): number {
  const r = table.length;
  const c = table[0].length;
  const rows = table.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = Array.from({ length: c }, (_, j) => table.reduce((a, row) => a + row[j], 0));
  const n = rows.reduce((a, b) => a + b, 0);
  const logFact = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) logFact[k] = logFact[k - 1] + Math.log(k);
  let constant = -logFact[n];
  for (const v of rows) constant += logFact[v];
  for (const v of cols) constant += logFact[v];
  const logProb = (cells: number[]) => constant - cells.reduce((s, v) => s + logFact[v], 0);
  const observed = logProb(table.flat());
  const threshold = observed + Math.log1p(1e-7);
  let p = 0;
  let visited = 0;
  const rowLeft = rows.slice();
  const colLeft = cols.slice();
  // Fill cell by cell; the last row and last column are determined by the margins.
  const fill = (i: number, j: number, acc: number): void => {
    if (i === r - 1) {
      let s = acc;
      for (let jj = 0; jj < c; jj++) s -= logFact[colLeft[jj]];
      visited++;
      if (visited > maxTables) throw new InputError(`Fisher's exact test: table too large to enumerate (> ${maxTables} tables); use the chi-square test`);
      const lp = constant + s;
      if (lp <= threshold) p += Math.exp(lp);
      return;
    }
    if (j === c - 1) {
      const v = rowLeft[i];
      if (v > colLeft[j]) return;
      colLeft[j] -= v;
      fill(i + 1, 0, acc - logFact[v]);
      colLeft[j] += v;
      return;
    }
    const hi = Math.min(rowLeft[i], colLeft[j]);
    for (let v = 0; v <= hi; v++) {
      rowLeft[i] -= v;
      colLeft[j] -= v;
      fill(i, j + 1, acc - logFact[v]);
      rowLeft[i] += v;
      colLeft[j] += v;
    }
  };
  fill(0, 0, 0);
  return Math.min(1, p);
}
