/**
 * Calibration-in-the-large at a horizon t: the observed risk 1 - KM(t) of the whole sample against the
 * expected risk, the mean of the model's predicted risks 1 - S_i(t). O/E above 1 means the model
 * under-predicts. The Kaplan-Meier keeps censored patients in the observed risk, which a plain count
 * of events by t would not.
 */
import { InputError } from '../util/errors.js';
import { kaplanMeier } from './kaplan-meier.js';
import { checkFinite, checkSurvival } from './validate.js';

export interface ObservedExpected {
  horizon: number;
  /** 1 - KM(t). */
  observed: number;
  /** Mean predicted risk at t. */
  expected: number;
  /** observed / expected (NaN when expected is 0). */
  oe: number;
}

export function observedExpected(time: ArrayLike<number>, event: ArrayLike<number>, predictedRisk: ArrayLike<number>, horizon: number): ObservedExpected {
  const surv = checkSurvival(time, event);
  const risk = checkFinite(predictedRisk, surv.time.length, 'predicted risk');
  if (!(horizon > 0)) throw new InputError(`observed/expected: the horizon must be > 0, got ${horizon}`);
  const observed = 1 - kaplanMeier(surv.time, surv.event).at([horizon]).surv[0];
  let expected = 0;
  for (let i = 0; i < risk.length; i++) expected += risk[i];
  expected /= risk.length;
  return { horizon, observed, expected, oe: expected > 0 ? observed / expected : NaN };
}
