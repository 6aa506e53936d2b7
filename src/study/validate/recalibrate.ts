/**
 * Updating a model on a new site (Steyerberg's "recalibration in the large" and "logistic
 * recalibration", for survival): the linear predictor lp is kept, and on the new site's training rows
 * either the baseline hazard alone is refitted (intercept: Breslow's estimate with lp as a fixed
 * offset), or first the slope b of a Cox regression on lp and then the baseline for b * lp (slope).
 * A positive b keeps every patient's rank, so the C-index cannot change; a b <= 0 would reverse the
 * ranking and is refused.
 */
import { breslowBaseline, survivalAt, type BaselineHazard } from '../../survival/risk-score-baseline.js';
import { calibrationSlope } from '../../survival/calibration-slope.js';
import { InputError } from '../../util/errors.js';
import type { SurvivalSet } from '../design.js';
import type { Recalibration } from '../../report/validation-results.js';

export interface Update {
  mode: Recalibration;
  slope: number;
  baseline: BaselineHazard;
  /** S(t) for a patient whose original risk is `risk`. */
  survival(risk: number, t: number): number;
}

export function fitUpdate(mode: Recalibration, key: string, trainRisk: Float64Array, train: SurvivalSet): Update {
  const slope = mode === 'slope' ? calibrationSlope(train.time, train.event, trainRisk).slope : 1;
  if (!(slope > 0)) {
    throw new InputError(`model ${key}: the calibration slope on the new site's training split is ${slope.toFixed(3)}; a slope update would reverse its ranking (use --recalibrate intercept)`);
  }
  const baseline = breslowBaseline(Float64Array.from(trainRisk, (r) => slope * r), train.time, train.event);
  return { mode, slope, baseline, survival: (risk, t) => survivalAt(baseline, slope * risk, t) };
}
