/**
 * Breslow's estimate of the baseline cumulative hazard for a fitted risk score (log hazard ratio):
 * H0(t) = sum over event times t_k <= t of d_k / sum_{j at risk at t_k} exp(risk_j). It is the
 * cumulative hazard at risk = 0, so S(t | x) = exp(-H0(t) exp(risk(x))). H0 between event times is
 * read with the statistics module's cumhazAt (the same step function as a Cox model's baseline).
 */
// The one file, not the survival barrel: scoring with a saved model should not load every estimator.
import { cumhazAt } from '../survival/cox/baseline.js';

export interface BaselineHazard {
  /** Distinct event times, ascending. */
  time: number[];
  /** Cumulative hazard at risk 0 just after each of those times. */
  cumhaz: number[];
}

export function breslowBaseline(risk: ArrayLike<number>, time: ArrayLike<number>, event: ArrayLike<number>): BaselineHazard {
  const n = risk.length;
  if (time.length !== n || event.length !== n) throw new RangeError('risk, time and event must have the same length');
  let shift = -Infinity;
  for (let i = 0; i < n; i++) shift = Math.max(shift, risk[i]);
  if (!Number.isFinite(shift)) throw new RangeError('risk scores must be finite');
  // Descending time: the risk-set sum grows as we walk back in time.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[b] - time[a] || a - b);
  const times: number[] = [];
  const increments: number[] = [];
  let riskSum = 0;
  let k = 0;
  while (k < n) {
    const t = time[order[k]];
    let deaths = 0;
    let j = k;
    for (; j < n && time[order[j]] === t; j++) {
      riskSum += Math.exp(risk[order[j]] - shift);
      if (event[order[j]]) deaths++;
    }
    if (deaths > 0) {
      times.push(t);
      increments.push((deaths / riskSum) * Math.exp(-shift));
    }
    k = j;
  }
  times.reverse();
  increments.reverse();
  const cumhaz: number[] = [];
  let h = 0;
  for (const inc of increments) cumhaz.push((h += inc));
  return { time: times, cumhaz };
}

/** S(t | risk) = exp(-H0(t) exp(risk)), for any baseline curve (this one, or a Cox model's per stratum). */
export function survivalAt(baseline: { time: ArrayLike<number>; cumhaz: ArrayLike<number> }, risk: number, t: number): number {
  return Math.exp(-cumhazAt(baseline, t) * Math.exp(risk));
}
