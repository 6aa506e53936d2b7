/**
 * The Brier score at given times with IPCW weights (riskRegression::Score, metrics = "brier",
 * cens.model = "km"): BS(t) = (1/n) sum_i W_i(t) (I(T_i <= t, event) - F_i(t))^2 with F = 1 - S the
 * predicted risk, W = 1/G(T_i-) for events by t, 1/G(t) for those still at risk after t, 0 for
 * those censored by t. And the integrated Brier score over a grid of times (riskRegression's IBS).
 */
import { InputError } from '../util/errors.js';
import { checkFinite, checkSurvival } from './validate.js';
import { censoringSurvival } from './ipcw.js';

/**
 * survivalAtTimes[k][i] = predicted S_i(times[k]). Returns one Brier score per time.
 */
export function brierScore(time: ArrayLike<number>, event: ArrayLike<number>, survivalAtTimes: ArrayLike<number>[], times: ArrayLike<number>): number[] {
  const surv = checkSurvival(time, event);
  const n = surv.time.length;
  if (survivalAtTimes.length !== times.length) throw new InputError(`brierScore: ${survivalAtTimes.length} prediction vectors for ${times.length} times`);
  const G = censoringSurvival(surv.time, surv.event);
  const gSubject = Float64Array.from(surv.time, (t) => G.before(t));
  const out: number[] = [];
  for (let k = 0; k < times.length; k++) {
    const t = times[k];
    const s = checkFinite(survivalAtTimes[k], n, `survival at time ${t}`);
    const gt = G.at(t);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const risk = 1 - s[i];
      if (surv.time[i] <= t) {
        if (surv.event[i] === 1) sum += ((1 - risk) * (1 - risk)) / gSubject[i];
      } else {
        sum += (risk * risk) / gt;
      }
    }
    out.push(sum / n);
  }
  return out;
}

/**
 * Integrated Brier score as riskRegression::Score(summary = "ibs") reports it at the last time t_K:
 * the Brier curve, a step function over the given ascending times (each value holding until the next
 * time, 0 before the first), integrated up to t_K and divided by t_K. Pass a fine grid of times for a
 * close approximation of the integral.
 */
export function integratedBrier(times: ArrayLike<number>, brier: ArrayLike<number>): number {
  if (times.length !== brier.length || times.length < 1) throw new InputError('integratedBrier needs at least one time with one score');
  let area = 0;
  for (let k = 0; k + 1 < times.length; k++) {
    const dt = times[k + 1] - times[k];
    if (!(dt > 0)) throw new InputError('integratedBrier: times must increase');
    area += brier[k] * dt;
  }
  const last = times[times.length - 1];
  if (!(last > 0)) throw new InputError('integratedBrier: the last time must be > 0');
  return area / last;
}
