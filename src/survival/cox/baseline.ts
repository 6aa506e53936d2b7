/**
 * Breslow estimate of the baseline cumulative hazard H0(t) at covariates = 0 (not at the means),
 * the way survival::basehaz(fit, centered = FALSE) gives it: one value per distinct time in the data
 * (censoring times included, where it does not jump), per stratum. With Efron ties the jump at a time
 * with d tied deaths is the Efron-adjusted sum over k of (mean weight) / (risk set with the deaths
 * counted 1 - k/d), as survfit.coxph does for ties = "efron". (For a risk score from any other
 * model, ../risk-score-baseline.ts gives the plain Breslow curve.)
 */
import type { CoxData } from './prepare.js';

export interface CoxBaselineCurve {
  /** Distinct times, ascending. */
  time: Float64Array;
  /** Cumulative hazard at covariates = 0 just after each time. */
  cumhaz: Float64Array;
}

export function coxBaselinePerStratum(data: CoxData, betaScaled: Float64Array, ties: 'efron' | 'breslow', nStrata: number): CoxBaselineCurve[] {
  const { n, p, time, status, weight, offset, x, stratum } = data;
  // x are centred: exp(eta_c) = exp(eta) * exp(-means . beta); the hazard at 0 rescales back.
  let meanShift = 0;
  for (let i = 0; i < p; i++) meanShift += data.means[i] * (betaScaled[i] * data.scale[i]);
  const toZero = Math.exp(-meanShift);
  const curves: CoxBaselineCurve[] = [];
  // Pass backwards per stratum collecting hazard jumps at each distinct time, then cumulate forwards.
  const jumpTimes: number[][] = Array.from({ length: nStrata }, () => []);
  const jumps: number[][] = Array.from({ length: nStrata }, () => []);
  let denom = 0;
  for (let person = n - 1; person >= 0; ) {
    if (person === n - 1 || stratum[person] !== stratum[person + 1]) denom = 0;
    const s = stratum[person];
    const dtime = time[person];
    let ndead = 0;
    let deadwt = 0;
    let denom2 = 0;
    while (person >= 0 && time[person] === dtime && stratum[person] === s) {
      let eta = offset[person];
      for (let i = 0; i < p; i++) eta += betaScaled[i] * x[i][person];
      const risk = Math.exp(eta) * weight[person];
      if (status[person] === 1) {
        ndead++;
        deadwt += weight[person];
        denom2 += risk;
      } else denom += risk;
      person--;
    }
    let jump = 0;
    if (ndead > 0) {
      if (ties === 'breslow' || ndead === 1) {
        denom += denom2;
        jump = deadwt / denom;
      } else {
        const meanWeight = deadwt / ndead;
        for (let k = 0; k < ndead; k++) {
          denom += denom2 / ndead;
          jump += meanWeight / denom;
        }
      }
    }
    jumpTimes[s].push(dtime);
    jumps[s].push(jump * toZero);
  }
  for (let s = 0; s < nStrata; s++) {
    const m = jumpTimes[s].length;
    const t = new Float64Array(m);
    const h = new Float64Array(m);
    let cum = 0;
    for (let k = 0; k < m; k++) {
      t[k] = jumpTimes[s][m - 1 - k];
      cum += jumps[s][m - 1 - k];
      h[k] = cum;
    }
    curves.push({ time: t, cumhaz: h });
  }
  return curves;
}

/** H0(t): the step function's value at t (0 before the first time). Binary search. */
export function cumhazAt(curve: { time: ArrayLike<number>; cumhaz: ArrayLike<number> }, t: number): number {
  const times = curve.time;
  let lo = 0;
  let hi = times.length; // first index with time > t
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : curve.cumhaz[lo - 1];
}
