/**
 * Judges one model on the test split: Harrell's C with its infinitesimal-jackknife SE and a percentile
 * bootstrap CI, Uno's C (truncated at the last horizon) with its bootstrap CI, cumulative/dynamic
 * AUC(t) and the IPCW Brier score at each horizon; and the apparent Harrell's C on the training split.
 * Bootstrap resamples are drawn from a generator the caller forks per model, so every number is
 * repeatable and independent of the order in which other models are judged.
 */
import { bootstrapCi, take } from '../survival/bootstrap.js';
import { brierScore, harrellC, timeDependentAuc, unoC } from '../survival/index.js';
import type { Random } from '../util/random.js';
import type { SurvivalSet } from './design.js';
import type { FittedModel } from './fit-models.js';
import type { ModelResult } from './results.js';

export interface EvaluationOptions {
  horizons: number[];
  bootstrap: number;
  /** Uno's C counts events up to tau (the last horizon). */
  unoTau: number;
}

function countEvents(event: Uint8Array, rows?: Int32Array): number {
  let d = 0;
  if (rows) for (let k = 0; k < rows.length; k++) d += event[rows[k]];
  else for (let i = 0; i < event.length; i++) d += event[i];
  return d;
}

/**
 * Percentile bootstrap CI of a C-index; a resample without an event (or without a comparable pair)
 * gives NaN and is dropped by bootstrapCi.
 */
export function bootstrapConcordance(
  set: { time: Float64Array; event: Uint8Array },
  score: Float64Array,
  kind: 'harrell' | 'uno',
  B: number,
  random: Random,
  tau?: number,
): [number, number] {
  const result = bootstrapCi(
    set.time.length,
    (rows) => {
      if (countEvents(set.event, rows) === 0) return NaN;
      const t = take(set.time, rows);
      const e = take(set.event, rows);
      const s = take(score, rows);
      const c = kind === 'harrell' ? harrellC(t, e, s).c : unoC(t, e, s, { tau }).c;
      return Number.isFinite(c) ? c : NaN;
    },
    { B, random },
  );
  return [result.lower, result.upper];
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
  const trainHarrell = harrellC(train.time, train.event, model.trainRisk).c;
  const trainCi = bootstrapConcordance(train, model.trainRisk, 'harrell', options.bootstrap, random.fork());

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
