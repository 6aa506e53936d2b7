/**
 * Log-rank test comparing survival between groups (survival::survdiff with rho = 0): observed and
 * expected events per group, the hypergeometric variance matrix, and a chi-square on k - 1 degrees
 * of freedom.
 */
import { InputError } from '../util/errors.js';
import { checkSurvival } from './validate.js';
import { denseRanks } from './order.js';
import { timefix } from './timefix.js';
import { chiSquareUpper } from '../stats/distributions.js';
import { ldlDecompose, ldlSolve } from './linalg.js';

export interface LogRankResult {
  groups: string[];
  n: number[];
  observed: number[];
  expected: number[];
  /** (O - E)^2 / V for each group (the diagonal of the variance matrix). */
  chisq: number;
  df: number;
  p: number;
}

export function logRank(time: ArrayLike<number>, event: ArrayLike<number>, group: ArrayLike<number | string>): LogRankResult {
  const surv = checkSurvival(time, event);
  surv.time = timefix(surv.time); // as survdiff's timefix = TRUE
  const n = surv.time.length;
  if (group.length !== n) throw new InputError(`group has ${group.length} values, expected ${n}`);
  const labels = Array.from(new Set(Array.from(group, String))).sort();
  const k = labels.length;
  if (k < 2) throw new InputError('log-rank test needs at least two groups');
  const g = Int32Array.from(Array.from(group, (v) => labels.indexOf(String(v))));
  const { rank, unique } = denseRanks(surv.time);
  const m = unique.length;
  // Per time: deaths per group, at-risk per group (built by a backwards cumulative sum).
  const risk = new Float64Array((m + 1) * k);
  const deaths = new Float64Array(m * k);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    risk[rank[i] * k + g[i]] += 1;
    if (surv.event[i] === 1) deaths[rank[i] * k + g[i]] += 1;
    counts[g[i]]++;
  }
  for (let t = m - 1; t >= 0; t--) for (let j = 0; j < k; j++) risk[t * k + j] += risk[(t + 1) * k + j];
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const v = new Float64Array(k * k);
  for (let t = 0; t < m; t++) {
    let d = 0;
    let r = 0;
    for (let j = 0; j < k; j++) {
      d += deaths[t * k + j];
      r += risk[t * k + j];
    }
    if (d === 0) continue;
    for (let j = 0; j < k; j++) {
      observed[j] += deaths[t * k + j];
      expected[j] += (d * risk[t * k + j]) / r;
    }
    if (r > 1) {
      const f = (d * (r - d)) / (r * r * (r - 1));
      for (let a = 0; a < k; a++) {
        const ra = risk[t * k + a];
        for (let b = 0; b < k; b++) {
          const rb = risk[t * k + b];
          v[a * k + b] += f * ((a === b ? r * ra : 0) - ra * rb);
        }
      }
    }
  }
  // Chi-square from the first k-1 groups (the variance matrix has rank k-1).
  const q = k - 1;
  const sub = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) sub[a * q + b] = v[a * k + b];
  const diff = Float64Array.from({ length: q }, (_, j) => observed[j] - expected[j]);
  const f = ldlDecompose(sub, q, 1e-12);
  const sol = ldlSolve(f, Float64Array.from(diff));
  let chisq = 0;
  for (let j = 0; j < q; j++) chisq += diff[j] * sol[j];
  const df = f.rank;
  return { groups: labels, n: counts, observed, expected, chisq, df, p: chiSquareUpper(chisq, df) };
}
