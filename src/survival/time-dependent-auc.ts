/**
 * Time-dependent (cumulative/dynamic) AUC at given times with IPCW (riskRegression::Score,
 * metrics = "auc", cens.model = "km"): cases are events by t, weighted 1/G(T_i-); controls are those
 * still event-free after t, weighted 1/G(t) (a constant, so it cancels); those censored by t drop
 * out. AUC(t) = sum over case-control pairs of W_i [M_i > M_j] (+1/2 for ties) / sum W_i * #controls,
 * with M a risk marker (higher = riskier). O(n log n) per time.
 */
import { InputError } from '../util/errors.js';
import { checkFinite, checkSurvival } from './validate.js';
import { censoringSurvival } from './ipcw.js';
import { countAtMost, countBelow } from '../util/sorted-search.js';

/**
 * marker: one risk score per subject used at every time, or one array per time (e.g. predicted risk
 * 1 - S_i(t)). Returns one AUC per time (NaN when there are no cases or no controls).
 */
export function timeDependentAuc(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  marker: ArrayLike<number> | ArrayLike<number>[],
  times: ArrayLike<number>,
): number[] {
  const surv = checkSurvival(time, event);
  const n = surv.time.length;
  const perTime = marker.length > 0 && typeof (marker as ArrayLike<unknown>)[0] !== 'number';
  if (perTime && marker.length !== times.length) throw new InputError(`timeDependentAuc: ${marker.length} marker vectors for ${times.length} times`);
  const G = censoringSurvival(surv.time, surv.event);
  const out: number[] = [];
  for (let k = 0; k < times.length; k++) {
    const t = times[k];
    const m = checkFinite(perTime ? (marker as ArrayLike<number>[])[k] : (marker as ArrayLike<number>), n, `marker at time ${t}`);
    const controls: number[] = [];
    for (let i = 0; i < n; i++) if (surv.time[i] > t) controls.push(m[i]);
    const sortedControls = Float64Array.from(controls).sort();
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      if (!(surv.time[i] <= t && surv.event[i] === 1)) continue;
      const w = 1 / G.before(surv.time[i]);
      const below = countBelow(sortedControls, m[i]);
      const tied = countAtMost(sortedControls, m[i]) - below;
      num += w * (below + 0.5 * tied);
      den += w * sortedControls.length;
    }
    out.push(den > 0 ? num / den : NaN);
  }
  return out;
}
