/**
 * One way to score rows with any saved model folder, whatever its kind, so that `spinesurv predict`
 * treats Cox and DeepSurv (and later image models) on the same footing: a risk (log hazard ratio,
 * higher = riskier) per row, and S(t | row) from the model's baseline hazard.
 * For Cox the risk is x . beta, uncentred, matching its baseline at covariates = 0.
 */
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { loadCoxModel } from '../survival/cox/model-file.js';
import { survivalAt } from '../survival/risk-score-baseline.js';
import { readModelJson } from './model-json.js';

export interface SurvivalPredictor {
  kind: string;
  /** Columns the model reads, in order. */
  covariates: string[];
  /** A column naming each row's stratum (stratified Cox models), if any. */
  strataColumn?: string;
  /** Risks for n rows of covariates (row-major n x covariates.length). */
  risk(x: Float64Array, n: number): Float64Array;
  /** S(t) for a row with this risk (and stratum, when the model has strata). */
  survival(risk: number, t: number, stratum?: string): number;
  dispose(): void;
}

/** Loads the engine only for kinds that need it, so a Cox model (or a bad path) never loads libtorch. */
export async function loadPredictor(dir: string): Promise<SurvivalPredictor> {
  const { kind, json } = readModelJson(dir);
  if (kind === 'deepsurv') {
    const { loadDeepSurvModel } = await import('./deepsurv/folder.js');
    const model = loadDeepSurvModel(dir, json);
    return {
      kind,
      covariates: model.covariates,
      risk: (x, n) => model.predictRisk(x, n),
      survival: (risk, t) => model.survival(risk, t),
      dispose: () => model.dispose(),
    };
  }
  if (kind === 'coxph') {
    const cox = loadCoxModel(dir);
    const p = cox.model.covariates.length;
    const curveFor = (stratum?: string): { time: number[]; cumhaz: number[] } => {
      const strata = cox.model.strata;
      if (!strata || stratum === undefined) return cox.model.baseline;
      const k = strata.levels.indexOf(stratum);
      if (k < 0) throw new InputError(`unknown stratum "${stratum}" in column "${strata.column}" (levels: ${strata.levels.join(', ')})`);
      return strata.baselines[k];
    };
    return {
      kind,
      covariates: cox.model.covariates,
      strataColumn: cox.model.strata?.column,
      risk: (x, n) => {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = cox.linearPredictor(x.subarray(i * p, (i + 1) * p));
        return out;
      },
      survival: (risk, t, stratum) => survivalAt(curveFor(stratum), risk, t),
      dispose: () => {},
    };
  }
  throw new InputError(`${join(dir, 'model.json')}: model kind "${kind}" cannot be used by predict (expected coxph or deepsurv)`);
}
