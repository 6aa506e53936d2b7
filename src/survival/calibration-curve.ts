/**
 * A smoothed calibration curve at a horizon: at each of `points` predicted risks (evenly spaced in
 * rank), the observed risk is 1 - the Kaplan-Meier at t of the `span` share of patients nearest in
 * predicted-risk rank (a running-window Kaplan-Meier, the nearest-neighbour idea riskRegression's
 * plotCalibration(method = "nne") uses). Unlike equal-size groups, neighbouring windows overlap, so
 * the curve is smooth without fitting a shape; censored patients count through the Kaplan-Meier.
 */
import { InputError } from '../util/errors.js';
import { kaplanMeier } from './kaplan-meier.js';
import { checkFinite, checkSurvival } from './validate.js';

export interface CalibrationCurvePoint {
  /** Mean predicted risk in the window. */
  predicted: number;
  /** 1 - KM(t) in the window. */
  observed: number;
  /** The window: ranks first..last (0-based, inclusive) in ascending predicted risk. */
  first: number;
  last: number;
}

export function calibrationCurve(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  predictedRisk: ArrayLike<number>,
  horizon: number,
  options: { points?: number; span?: number } = {},
): CalibrationCurvePoint[] {
  const surv = checkSurvival(time, event);
  const n = surv.time.length;
  const risk = checkFinite(predictedRisk, n, 'predicted risk');
  const points = options.points ?? 20;
  const span = options.span ?? 0.2;
  if (!(span > 0 && span <= 1)) throw new InputError(`calibration curve: span must lie in (0, 1], got ${span}`);
  if (!(Number.isInteger(points) && points >= 2)) throw new InputError(`calibration curve: points must be an integer >= 2, got ${points}`);
  // Ties in predicted risk keep input order, so the windows are the same on every run.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => risk[a] - risk[b] || a - b);
  const width = Math.max(2, Math.min(n, Math.round(span * n)));
  const out: CalibrationCurvePoint[] = [];
  for (let k = 0; k < points; k++) {
    const centre = Math.round((k * (n - 1)) / (points - 1));
    const first = Math.min(Math.max(0, centre - Math.floor(width / 2)), n - width);
    const rows = order.slice(first, first + width);
    let predicted = 0;
    for (const i of rows) predicted += risk[i];
    const km = kaplanMeier(Float64Array.from(rows, (i) => surv.time[i]), Uint8Array.from(rows, (i) => surv.event[i])).at([horizon]);
    out.push({ predicted: predicted / width, observed: 1 - km.surv[0], first, last: first + width - 1 });
  }
  return out;
}
