/**
 * Judges one model on the new site: the study's own metrics (evaluate.ts: Harrell's and Uno's C with
 * bootstrap CIs, AUC(t), Brier), then, on one shared set of bootstrap resamples, AUC(t), O/E and the
 * calibration slope with percentile CIs, the decision curve at each horizon, the smoothed calibration
 * curve, and the difference from the C-index the model had at its development site. The two sites hold
 * different patients, so that difference is bootstrapped over each site's patients independently.
 */
import {
  calibrationCurve, calibrationSlope, concordanceOfRows, harrellC, kaplanMeier, logCumulativeHazard, netBenefit,
  observedExpected, quantileSorted, take, timeDependentAuc,
} from '../../survival/index.js';
import { normalTwoSidedP } from '../../stats/distributions.js';
import type { Random } from '../../util/random.js';
import type { SurvivalSet } from '../design.js';
import { evaluateModel } from '../evaluate.js';
import type { FittedModel } from '../fit-models.js';
import type { CalibrationAt, ValidationModelResult } from '../../report/validation-results.js';

export interface ExternalOptions {
  horizons: number[];
  calibrationHorizon: number;
  bootstrap: number;
  thresholds: number[];
  predictionsFile: string;
}

export interface DevelopmentSite {
  harrell: number;
  time: Float64Array;
  event: Uint8Array;
  score: Float64Array;
}

function ci(values: number[]): [number, number] {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  return [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
}

/** The score the slope regresses on: the model's log hazard ratio, or log(-log S(t)) for FRAX. */
function slopeScore(model: FittedModel, logHazard: boolean, horizon: number): Float64Array {
  return logHazard ? model.testRisk : logCumulativeHazard(model.testSurvival(horizon));
}

export function evaluateExternal(
  model: FittedModel,
  logHazard: boolean,
  set: SurvivalSet,
  development: DevelopmentSite,
  options: ExternalOptions,
  random: Random,
): ValidationModelResult {
  const { horizons } = options;
  // The study's evaluation judges the validated rows only: its training-split figures are set aside
  // below (a new site has no training C of the model), so its "training" rows are the validated ones.
  const base = evaluateModel({ ...model, trainRisk: model.testRisk }, set, set, { horizons, bootstrap: options.bootstrap, unoTau: Math.max(...horizons) }, random.fork(), options.predictionsFile);
  const risks = horizons.map((h) => Float64Array.from(model.testSurvival(h), (s) => 1 - s));
  // For a PH model (and FRAX's constant hazard) log(-log S(t)) is the score plus a constant, so one
  // slope holds at every horizon; it is computed once, on the last horizon's survival for FRAX.
  const lp = slopeScore(model, logHazard, Math.max(...horizons));
  const slope = calibrationSlope(set.time, set.event, lp).slope;

  const n = set.time.length;
  const reps = { auc: horizons.map(() => [] as number[]), oe: horizons.map(() => [] as number[]), slope: [] as number[], harrell: [] as number[] };
  const devReps: number[] = [];
  const devStatistic = concordanceOfRows(development.time, development.event, development.score, { timewt: 'n' });
  const valRandom = random.fork();
  const devRandom = random.fork();
  for (let b = 0; b < options.bootstrap; b++) {
    const rows = valRandom.resample(n);
    const t = take(set.time, rows);
    const e = take(set.event, rows);
    devReps.push(devStatistic(devRandom.resample(development.time.length)));
    if (!e.some((v) => v === 1)) {
      reps.harrell.push(NaN);
      continue;
    }
    const score = take(model.testRisk, rows);
    reps.harrell.push(harrellC(t, e, score).c);
    timeDependentAuc(t, e, score, horizons).forEach((a, k) => reps.auc[k].push(a));
    const km = kaplanMeier(t, e).at(horizons).surv;
    horizons.forEach((_, k) => {
      let expected = 0;
      for (let i = 0; i < n; i++) expected += risks[k][rows[i]];
      reps.oe[k].push((1 - km[k]) / (expected / n));
    });
    try {
      reps.slope.push(calibrationSlope(t, e, take(lp, rows)).slope);
    } catch {
      reps.slope.push(NaN); // a resample whose scores cannot be fitted gives no slope
    }
  }

  const calibration: Record<string, CalibrationAt> = {};
  const netBenefits: ValidationModelResult['net_benefit'] = {};
  const aucCi: Record<string, [number, number] | null> = {};
  horizons.forEach((h, k) => {
    const oe = observedExpected(set.time, set.event, risks[k], h);
    calibration[String(h)] = { oe: oe.oe, oe_ci95: ci(reps.oe[k]), observed: oe.observed, expected: oe.expected, slope, slope_ci95: ci(reps.slope) };
    netBenefits[String(h)] = netBenefit(set.time, set.event, risks[k], h, options.thresholds);
    aucCi[String(h)] = base.auc[String(h)] === null ? null : ci(reps.auc[k]);
  });
  const k = horizons.indexOf(options.calibrationHorizon);
  const curveRisk = k >= 0 ? risks[k] : Float64Array.from(model.testSurvival(options.calibrationHorizon), (s) => 1 - s);
  const curve = calibrationCurve(set.time, set.event, curveRisk, options.calibrationHorizon);

  const differences: number[] = [];
  reps.harrell.forEach((c, b) => {
    if (Number.isFinite(c) && Number.isFinite(devReps[b])) differences.push(c - devReps[b]);
  });
  const difference = base.harrell - development.harrell;
  const mean = differences.reduce((a, v) => a + v, 0) / differences.length;
  const se = Math.sqrt(differences.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (differences.length - 1));
  return {
    ...base,
    train_harrell: null,
    train_harrell_ci95: null,
    auc_ci95: aucCi,
    calibration,
    net_benefit: netBenefits,
    calibration_curve: { horizon: options.calibrationHorizon, predicted: curve.map((p) => p.predicted), observed: curve.map((p) => p.observed) },
    development_harrell: development.harrell,
    development_difference: { difference, ci95: ci(differences), p: se > 0 ? normalTwoSidedP(difference / se) : NaN },
  };
}
