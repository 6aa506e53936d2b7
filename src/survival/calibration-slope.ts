/**
 * Calibration slope: the coefficient of a Cox regression of the outcome on the model's linear
 * predictor (R: coef(coxph(Surv(time, status) ~ lp))). 1 means the predictions spread as much as the
 * outcomes do; below 1, the model is over-confident (too extreme), as a model carried to a new site
 * usually is. Any score that is a log hazard ratio up to a constant gives the same slope, so for a
 * model with no linear predictor of its own the log cumulative hazard at a horizon,
 * log(-log S_i(t)), stands in.
 */
import { coxph, type CoxTies } from './cox/fit.js';
import { checkFinite } from './validate.js';

export interface CalibrationSlope {
  slope: number;
  se: number;
  /** Wald 95% interval. */
  ci95: [number, number];
  converged: boolean;
}

export function calibrationSlope(time: ArrayLike<number>, event: ArrayLike<number>, linearPredictor: ArrayLike<number>, ties: CoxTies = 'efron'): CalibrationSlope {
  const lp = checkFinite(linearPredictor, time.length, 'linear predictor');
  const fit = coxph({ time, event, covariates: [lp], ties, concordance: false });
  const slope = fit.coef[0];
  const se = fit.se[0];
  return { slope, se, ci95: [slope - 1.959963984540054 * se, slope + 1.959963984540054 * se], converged: fit.converged };
}

/** log(-log S): the log cumulative hazard, a linear predictor for any survival prediction. */
export function logCumulativeHazard(survival: ArrayLike<number>): Float64Array {
  return Float64Array.from(survival, (s) => Math.log(-Math.log(Math.min(Math.max(s, 1e-300), 1 - 1e-15))));
}
