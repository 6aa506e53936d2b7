/**
 * Calibration at a horizon: patients are split into groups by predicted risk (equal-size groups in
 * order of risk), and each group's mean predicted risk is set against its observed risk, 1 - the
 * Kaplan-Meier at the horizon (with its Greenwood interval). The Greenwood-Nam-D'Agostino statistic
 * sums (observed - predicted)^2 / Var(KM) over groups, chi-square on groups - 1 df.
 */
import { InputError } from '../util/errors.js';
import { checkFinite, checkSurvival } from './validate.js';
import { kaplanMeier, lastAtOrBefore } from './kaplan-meier.js';
import { chiSquareUpper } from '../stats/distributions.js';

export interface CalibrationGroup {
  n: number;
  events: number;
  predicted: number;
  observed: number;
  observedLower: number;
  observedUpper: number;
}

export interface Calibration {
  horizon: number;
  groups: CalibrationGroup[];
  gnd: { statistic: number; df: number; p: number };
}

export function calibrationAtHorizon(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  predictedRisk: ArrayLike<number>,
  horizon: number,
  nGroups = 10,
): Calibration {
  const surv = checkSurvival(time, event);
  const n = surv.time.length;
  const risk = checkFinite(predictedRisk, n, 'predicted risk');
  if (!(nGroups >= 1) || !Number.isInteger(nGroups)) throw new InputError(`calibration: groups must be a positive integer, got ${nGroups}`);
  if (n < nGroups) throw new InputError(`calibration: ${n} rows are too few for ${nGroups} groups`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => risk[a] - risk[b]);
  const groups: CalibrationGroup[] = [];
  let statistic = 0;
  let df = 0;
  for (let g = 0; g < nGroups; g++) {
    const rows = order.slice(Math.floor((g * n) / nGroups), Math.floor(((g + 1) * n) / nGroups));
    const t = Float64Array.from(rows, (i) => surv.time[i]);
    const e = Uint8Array.from(rows, (i) => surv.event[i]);
    let mean = 0;
    let events = 0;
    for (const i of rows) mean += risk[i];
    for (const v of e) events += v;
    mean /= rows.length;
    const fit = kaplanMeier(t, e);
    const km = fit.at([horizon]);
    const observed = 1 - km.surv[0];
    groups.push({ n: rows.length, events, predicted: mean, observed, observedLower: 1 - km.upper[0], observedUpper: 1 - km.lower[0] });
    // Var(KM) from the Greenwood log-scale SE: var(S) = S^2 * se(log S)^2
    const k = lastAtOrBefore(fit.time, horizon);
    const varS = k < 0 ? 0 : fit.surv[k] * fit.surv[k] * fit.stdErr[k] * fit.stdErr[k];
    if (varS > 0 && Number.isFinite(varS)) {
      statistic += ((observed - mean) * (observed - mean)) / varS;
      df++;
    }
  }
  df = Math.max(df - 1, 1);
  return { horizon, groups, gnd: { statistic, df, p: chiSquareUpper(statistic, df) } };
}
