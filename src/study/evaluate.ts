/**
 * Judges one model on the test split: Harrell's C with its infinitesimal-jackknife SE and a percentile
 * bootstrap CI, Uno's C (truncated at the last horizon) with its bootstrap CI, cumulative/dynamic
 * AUC(t) and the IPCW Brier score at each horizon; and the apparent Harrell's C on the training split
 * with its IJ interval.
 * Bootstrap resamples are drawn from a generator the caller forks per model, so every number is
 * repeatable and independent of the order in which other models are judged.
 */
import { bootstrapCi, brierScore, concordanceOfRows, harrellC, timeDependentAuc, unoC } from '../survival/index.js';
import { normalQuantile } from '../stats/distributions.js';
import type { Random } from '../util/random.js';
import type { SurvivalSet } from './design.js';
import type { FittedModel } from './fit-models.js';
import type { ModelResult } from '../report/results.js';

/** The outcome columns a bootstrap resamples. */
export interface SurvivalTimes {
  time: Float64Array;
  event: Uint8Array;
}

export interface EvaluationOptions {
  horizons: number[];
  bootstrap: number;
  /** Uno's C counts events up to tau (the last horizon). */
  unoTau: number;
}

function countEvents(event: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < event.length; i++) d += event[i];
  return d;
}

/**
 * Percentile bootstrap CI of a C-index over resampled patients, each resample scored by the statistics
 * module (Harrell's C, or Uno's C truncated at tau); a resample without an event (or without a
 * comparable pair) gives NaN and is dropped by bootstrapCi.
 */
export function bootstrapConcordance(
  set: SurvivalTimes,
  score: ArrayLike<number>,
  kind: 'harrell' | 'uno',
  B: number,
  random: Random,
  tau?: number,
): [number, number] {
  const statistic = concordanceOfRows(set.time, set.event, score, { timewt: kind === 'harrell' ? 'n' : 'n/G2', tau });
  const result = bootstrapCi(set.time.length, statistic, { B, random });
  return [result.lower, result.upper];
}

/** A 95% Wald interval from the infinitesimal-jackknife SE, kept within [0, 1]. */
export function waldInterval(c: number, se: number): [number, number] {
  const z = normalQuantile(0.975);
  return [Math.max(0, c - z * se), Math.min(1, c + z * se)];
}

export function evaluateModel(
  model: FittedModel,
  train: SurvivalSet,
  test: SurvivalSet,
  options: EvaluationOptions,
  random: Random,
  predictionsFile: string,
): ModelResult {
  const harrell = harrellC(test.time, test.event, model.testRisk);
  const uno = unoC(test.time, test.event, model.testRisk, { tau: options.unoTau });
  const harrellCi = bootstrapConcordance(test, model.testRisk, 'harrell', options.bootstrap, random.fork());
  const unoCi = bootstrapConcordance(test, model.testRisk, 'uno', options.bootstrap, random.fork(), options.unoTau);
  // The apparent C on the training split gets the analytic (IJ) interval: it is optimistic anyway,
  // and a bootstrap over 1,400 rows per model would cost more than the whole test-split evaluation.
  const trainFit = harrellC(train.time, train.event, model.trainRisk);
  const trainHarrell = trainFit.c;
  const trainCi = waldInterval(trainFit.c, trainFit.se);

  const aucs = timeDependentAuc(test.time, test.event, model.testRisk, options.horizons);
  const survivals = options.horizons.map((t) => model.testSurvival(t));
  const briers = brierScore(test.time, test.event, survivals, options.horizons);
  const auc: Record<string, number | null> = {};
  const brier: Record<string, number | null> = {};
  options.horizons.forEach((h, k) => {
    auc[String(h)] = Number.isFinite(aucs[k]) ? aucs[k] : null;
    // Past the last follow-up the IPCW weights are undefined; report no score rather than a guess.
    brier[String(h)] = Number.isFinite(briers[k]) ? briers[k] : null;
  });

  return {
    key: model.key,
    method: model.method,
    clinical_model: model.clinicalModel,
    subgroup: model.subgroup,
    covariates: model.covariates,
    n: test.time.length,
    events: countEvents(test.event),
    harrell: harrell.c,
    harrell_se: harrell.se,
    harrell_ci95: harrellCi,
    uno: uno.c,
    uno_ci95: unoCi,
    auc,
    brier,
    predictions: { file: predictionsFile, column: model.key },
    train_harrell: trainHarrell,
    train_harrell_ci95: trainCi,
  };
}
