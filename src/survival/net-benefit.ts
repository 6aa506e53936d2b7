/**
 * Net benefit at a horizon t (decision curve analysis with censored outcomes, Vickers et al. 2008):
 * a patient is "treated" when the predicted risk 1 - S_i(t) is at least the threshold p_t. Among the
 * treated (a share q of the sample) the Kaplan-Meier of their outcomes gives the true-positive share
 * q (1 - KM_treated(t)) and the false-positive share q KM_treated(t), so
 *   NB(p_t) = q (1 - KM_treated(t)) - q KM_treated(t) p_t / (1 - p_t).
 * Treat-all is the same with everyone treated; treat-none is 0 at every threshold.
 */
import { InputError } from '../util/errors.js';
import { kaplanMeier } from './kaplan-meier.js';
import { checkFinite, checkSurvival } from './validate.js';

export interface NetBenefitPoint {
  threshold: number;
  model: number;
  treat_all: number;
}

/** Net benefit of treating `treated` rows of the sample: share q and their KM at t. */
function benefit(time: Float64Array, event: Uint8Array, treated: number[], n: number, horizon: number, odds: number): number {
  if (treated.length === 0) return 0;
  const km = kaplanMeier(Float64Array.from(treated, (i) => time[i]), Uint8Array.from(treated, (i) => event[i])).at([horizon]).surv[0];
  const q = treated.length / n;
  return q * (1 - km) - q * km * odds;
}

export function netBenefit(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  predictedRisk: ArrayLike<number>,
  horizon: number,
  thresholds: number[],
): NetBenefitPoint[] {
  const surv = checkSurvival(time, event);
  const n = surv.time.length;
  const risk = checkFinite(predictedRisk, n, 'predicted risk');
  const everyone = Array.from({ length: n }, (_, i) => i);
  return thresholds.map((p) => {
    if (!(p > 0 && p < 1)) throw new InputError(`net benefit: thresholds must lie in (0, 1), got ${p}`);
    const odds = p / (1 - p);
    const treated = everyone.filter((i) => risk[i] >= p);
    return { threshold: p, model: benefit(surv.time, surv.event, treated, n, horizon, odds), treat_all: benefit(surv.time, surv.event, everyone, n, horizon, odds) };
  });
}
