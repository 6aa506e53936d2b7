/**
 * Fits the study's models on the training split of a subgroup and scores both splits: CoxPH (Efron
 * ties) and DeepSurv without images for each clinical model, and the cohort's FRAX column as a
 * comparator that is not fitted at all. Each result carries risks (higher = riskier) and S(t | x) for
 * the test patients, which is all the evaluation needs.
 */
import { coxph, cumhazAt, type CoxFit } from '../survival/index.js';
import { saveCoxModel } from '../survival/cox/model-file.js';
import { fitDeepSurv } from '../models/deepsurv/fit.js';
import { saveDeepSurvModel } from '../models/deepsurv/folder.js';
import type { DeepSurvModel } from '../models/deepsurv/model.js';
import { InputError } from '../util/errors.js';
import type { StudyConfig } from './config.js';
import { covariatesFor, designColumns, designMatrix, type Covariate, type SurvivalSet } from './design.js';
import type { ClinicalModel, Method, Subgroup } from '../report/results.js';

export interface FittedModel {
  key: string;
  method: Method;
  clinicalModel: ClinicalModel | null;
  subgroup: Subgroup;
  covariates: string[];
  trainRisk: Float64Array;
  testRisk: Float64Array;
  /** Predicted S(t) for each test patient. */
  testSurvival(t: number): Float64Array;
  /** Lines for the report's notes (convergence, early stopping...). */
  notes: string[];
  /** Writes a model folder that `spinesurv predict` reads; absent for FRAX (nothing was fitted). */
  save?(dir: string): Promise<void>;
  dispose(): void;
}

export function modelKey(method: Method, clinicalModel: ClinicalModel | null, subgroup: Subgroup): string {
  return `${method}${clinicalModel === null ? '' : `_m${clinicalModel}`}_${subgroup}`;
}

function dot(x: Float64Array, coef: number[], i: number): number {
  let s = 0;
  for (let j = 0; j < coef.length; j++) s += x[i * coef.length + j] * coef[j];
  return s;
}

export function fitCox(train: SurvivalSet, test: SurvivalSet, clinicalModel: ClinicalModel, subgroup: Subgroup, version: string): FittedModel {
  const covariates = covariatesFor(clinicalModel, subgroup);
  let fit: CoxFit;
  try {
    fit = coxph({ time: train.time, event: train.event, covariates: designColumns(train.rows, covariates), names: covariates, ties: 'efron' });
  } catch (error) {
    throw new InputError(`CoxPH model ${clinicalModel} (${subgroup}): ${(error as Error).message}`);
  }
  const risks = (set: SurvivalSet) => {
    const x = designMatrix(set.rows, covariates);
    return Float64Array.from(set.rows, (_, i) => dot(x, fit.coef, i));
  };
  const testRisk = risks(test);
  const notes = fit.warnings.map((w) => `CoxPH model ${clinicalModel} (${subgroup}): ${w}`);
  if (!fit.converged) notes.push(`CoxPH model ${clinicalModel} (${subgroup}) did not converge in ${fit.iterations} iterations`);
  return {
    key: modelKey('coxph', clinicalModel, subgroup),
    method: 'coxph',
    clinicalModel,
    subgroup,
    covariates,
    trainRisk: risks(train),
    testRisk,
    testSurvival: (t) => {
      const h0 = cumhazAt(fit.baseline, t);
      return Float64Array.from(testRisk, (r) => Math.exp(-h0 * Math.exp(r)));
    },
    notes,
    save: (dir) => saveCoxModel(dir, fit, covariates, { version }),
    dispose: () => {},
  };
}

export function fitDeepSurvModel(
  train: SurvivalSet,
  test: SurvivalSet,
  clinicalModel: ClinicalModel,
  subgroup: Subgroup,
  config: StudyConfig,
  seed: number,
): FittedModel {
  const covariates: Covariate[] = covariatesFor(clinicalModel, subgroup);
  const p = covariates.length;
  let model: DeepSurvModel;
  try {
    model = fitDeepSurv(
      { x: designMatrix(train.rows, covariates), n: train.rows.length, p, time: train.time, event: train.event },
      { covariates, config: config.deepsurv, seed },
    );
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`DeepSurv model ${clinicalModel} (${subgroup}): ${error.message}`);
    throw error;
  }
  const trainRisk = model.predictRisk(designMatrix(train.rows, covariates), train.rows.length);
  const testRisk = model.predictRisk(designMatrix(test.rows, covariates), test.rows.length);
  const t = model.training;
  const notes = t
    ? [`DeepSurv model ${clinicalModel} (${subgroup}): ${t.epochsRun} epochs${t.stoppedEarly ? `, stopped early at the best validation C-index (epoch ${t.bestEpoch})` : ''}`]
    : [];
  return {
    key: modelKey('deepsurv', clinicalModel, subgroup),
    method: 'deepsurv',
    clinicalModel,
    subgroup,
    covariates,
    trainRisk,
    testRisk,
    testSurvival: (time) => Float64Array.from(testRisk, (r) => model.survival(r, time)),
    notes,
    save: (dir) => saveDeepSurvModel(dir, model, { seed, study_model: modelKey('deepsurv', clinicalModel, subgroup) }),
    dispose: () => model.dispose(),
  };
}

/**
 * FRAX as given in the cohort (a 10-year probability of a major osteoporotic fracture). Its ranking is
 * used as is; for the Brier score and calibration the 10-year probability is turned into S(t) with a
 * constant hazard, S(t) = (1 - p10)^(t / 10), which is an assumption the report states.
 */
export function fraxSurvival(p10: number, t: number): number {
  return Math.pow(1 - Math.min(p10, 1 - 1e-12), t / 10);
}

export function fraxModel(train: SurvivalSet, test: SurvivalSet, subgroup: Subgroup): FittedModel {
  const testRisk = Float64Array.from(test.rows, (r) => r.frax);
  return {
    key: modelKey('frax', null, subgroup),
    method: 'frax',
    clinicalModel: null,
    subgroup,
    covariates: ['frax_mof'],
    trainRisk: Float64Array.from(train.rows, (r) => r.frax),
    testRisk,
    testSurvival: (t) => Float64Array.from(testRisk, (p) => fraxSurvival(p, t)),
    notes: [],
    dispose: () => {},
  };
}
