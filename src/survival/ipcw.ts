/**
 * Inverse probability of censoring weights from the Kaplan-Meier of the censoring times (the
 * "reverse" Kaplan-Meier, riskRegression's cens.model = "km"; at a tied time events leave the risk set
 * before censorings): subjects with an event at T_i <= t get
 * 1/G(T_i-), subjects still at risk after t get 1/G(t), subjects censored before t get 0.
 */
import { denseRanks, type DenseRanks } from './order.js';

export interface CensoringSurvival {
  /** Distinct times ascending and G just after each. */
  time: Float64Array;
  g: Float64Array;
  /** G(t): right-continuous value at t. */
  at(t: number): number;
  /** G(t-): the limit from the left. */
  before(t: number): number;
}

export function censoringSurvival(time: Float64Array, event: Uint8Array, ranks?: DenseRanks): CensoringSurvival {
  const { rank, unique } = ranks ?? denseRanks(time);
  const m = unique.length;
  const atRisk = new Float64Array(m + 1);
  const censored = new Float64Array(m);
  const deaths = new Float64Array(m);
  for (let i = 0; i < time.length; i++) {
    atRisk[rank[i]]++;
    if (event[i] === 0) censored[rank[i]]++;
    else deaths[rank[i]]++;
  }
  for (let k = m - 1; k >= 0; k--) atRisk[k] += atRisk[k + 1];
  const g = new Float64Array(m);
  let cur = 1;
  for (let k = 0; k < m; k++) {
    // Deaths at t happen before censorings at t (prodlim's reverse Kaplan-Meier, as used by
    // riskRegression), so they are no longer in the censoring risk set.
    if (censored[k] > 0) cur *= 1 - censored[k] / (atRisk[k] - deaths[k]);
    g[k] = cur;
  }
  const find = (t: number, strict: boolean): number => {
    // number of times <= t (or < t when strict)
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (strict ? unique[mid] < t : unique[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    time: unique,
    g,
    at: (t) => {
      const k = find(t, false);
      return k === 0 ? 1 : g[k - 1];
    },
    before: (t) => {
      const k = find(t, true);
      return k === 0 ? 1 : g[k - 1];
    },
  };
}
