/**
 * Kaplan-Meier estimate with Greenwood standard errors and log-transformed 95% intervals, as
 * survival::survfit(Surv(time, status) ~ 1) gives by default (conf.type = "log"; the upper limit is
 * capped at 1). Case weights are allowed. One row per distinct time, censoring times included.
 */
import { checkSurvival, checkWeights } from './validate.js';
import { denseRanks } from './order.js';
import { timefix } from './timefix.js';
import { normalQuantile } from '../stats/distributions.js';

export interface KaplanMeier {
  time: Float64Array;
  nRisk: Float64Array;
  nEvent: Float64Array;
  nCensor: Float64Array;
  surv: Float64Array;
  /** Greenwood standard error of -log S (R's std.err for conf.type "log"). */
  stdErr: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  confLevel: number;
  /** The estimate at arbitrary times (right-continuous step function; 1 before the first time). */
  at(times: ArrayLike<number>): { time: number[]; surv: number[]; lower: number[]; upper: number[]; nRisk: number[] };
  /** Median survival time (NaN when S never drops to 0.5). */
  median: number;
}

export interface KaplanMeierOptions {
  weights?: ArrayLike<number>;
  confLevel?: number;
  /** Merge times equal up to rounding noise, as R's timefix = TRUE (default true). */
  timefix?: boolean;
}

export function kaplanMeier(time: ArrayLike<number>, event: ArrayLike<number>, options: KaplanMeierOptions = {}): KaplanMeier {
  const surv = checkSurvival(time, event);
  if (options.timefix !== false) surv.time = timefix(surv.time);
  const n = surv.time.length;
  const w = checkWeights(options.weights, n);
  const confLevel = options.confLevel ?? 0.95;
  const z = normalQuantile(1 - (1 - confLevel) / 2);
  const { rank, unique } = denseRanks(surv.time);
  const m = unique.length;
  const nEvent = new Float64Array(m);
  const nCensor = new Float64Array(m);
  const nRisk = new Float64Array(m + 1);
  for (let i = 0; i < n; i++) {
    nRisk[rank[i]] += w[i];
    if (surv.event[i] === 1) nEvent[rank[i]] += w[i];
    else nCensor[rank[i]] += w[i];
  }
  for (let k = m - 1; k >= 0; k--) nRisk[k] += nRisk[k + 1];
  const s = new Float64Array(m);
  const se = new Float64Array(m);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  let cur = 1;
  let greenwood = 0;
  for (let k = 0; k < m; k++) {
    const d = nEvent[k];
    const r = nRisk[k];
    if (d > 0) {
      cur *= 1 - d / r;
      greenwood += r > d ? d / (r * (r - d)) : Infinity;
    }
    s[k] = cur;
    se[k] = Math.sqrt(greenwood);
    if (cur > 0 && Number.isFinite(se[k])) {
      lower[k] = cur * Math.exp(-z * se[k]);
      upper[k] = Math.min(1, cur * Math.exp(z * se[k]));
    } else {
      lower[k] = NaN;
      upper[k] = NaN;
    }
  }
  const riskFinal = nRisk.slice(0, m);
  const median = medianSurvival(unique, s);
  return {
    time: unique,
    nRisk: riskFinal,
    nEvent,
    nCensor,
    surv: s,
    stdErr: se,
    lower,
    upper,
    confLevel,
    median,
    at(times: ArrayLike<number>) {
      const out = { time: [] as number[], surv: [] as number[], lower: [] as number[], upper: [] as number[], nRisk: [] as number[] };
      for (let q = 0; q < times.length; q++) {
        const t = times[q];
        const k = lastAtOrBefore(unique, t);
        out.time.push(t);
        out.surv.push(k < 0 ? 1 : s[k]);
        out.lower.push(k < 0 ? 1 : lower[k]);
        out.upper.push(k < 0 ? 1 : upper[k]);
        // number at risk at t: those with time >= t
        const first = k < 0 ? 0 : unique[k] === t ? k : k + 1;
        out.nRisk.push(first < m ? riskFinal[first] : 0);
      }
      return out;
    },
  };
}

/** Index of the last time <= t, or -1. */
export function lastAtOrBefore(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * R's median: the first time S(t) <= 0.5; when S is exactly 0.5 over an interval, the midpoint of
 * that interval's start and the next time S drops.
 */
export function medianSurvival(times: Float64Array, s: Float64Array): number {
  const tol = Math.sqrt(2.220446049250313e-16);
  for (let k = 0; k < s.length; k++) {
    if (Math.abs(s[k] - 0.5) < tol) {
      for (let j = k + 1; j < s.length; j++) if (s[j] < s[k] - tol) return (times[k] + times[j]) / 2;
      return times[k];
    }
    if (s[k] < 0.5) return times[k];
  }
  return NaN;
}
