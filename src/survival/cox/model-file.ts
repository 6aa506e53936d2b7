/**
 * The Cox model folder written by `spinesurv cox --out DIR` and read by `spinesurv predict`:
 * DIR/model.json = {"kind": "coxph", "format_version": 1, "covariates": [...], "coef": [...],
 * "ties", "baseline": {"time": [...], "cumhaz": [...]}, "fit": {CLI JSON summary}, "created_by"}.
 * The baseline is uncentred (cumulative hazard at covariates = 0), so
 * S(t | x) = exp(-H0(t) * exp(x . beta)). Stratified fits also carry "strata": {"column", "levels",
 * "baselines": [{"time", "cumhaz"}, ...]} and "baseline" is then the first level's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import type { CoxFit } from './fit.js';
import { cumhazAt } from './baseline.js';

export interface CoxModelFile {
  kind: 'coxph';
  format_version: 1;
  covariates: string[];
  coef: number[];
  ties: 'efron' | 'breslow';
  baseline: { time: number[]; cumhaz: number[] };
  strata?: { column: string; levels: string[]; baselines: { time: number[]; cumhaz: number[] }[] };
  fit: Record<string, unknown>;
  created_by: string;
}

/** Who the model folder's ownership marker names; `cox --out` replaces only folders it wrote. */
export const COX_MODEL_WRITER = 'spinesurv cox';

export interface SaveCoxOptions {
  /** The CLI JSON summary stored under "fit". */
  summary?: Record<string, unknown>;
  /** Tool version for "created_by". */
  version?: string;
  strataColumn?: string;
  /** Replace an earlier `spinesurv cox` model folder at the same path (output-folder.ts rules). */
  force?: boolean;
}

export function coxModelJson(fit: CoxFit, covariates: string[], options: SaveCoxOptions = {}): CoxModelFile {
  if (covariates.length !== fit.coef.length) throw new Error(`saveCoxModel: ${covariates.length} names for ${fit.coef.length} coefficients`);
  const curve = (c: { time: ArrayLike<number>; cumhaz: ArrayLike<number> }) => ({ time: Array.from(c.time), cumhaz: Array.from(c.cumhaz) });
  const model: CoxModelFile = {
    kind: 'coxph',
    format_version: 1,
    covariates,
    coef: fit.coef,
    ties: fit.ties,
    baseline: curve(fit.baseline),
    fit: options.summary ?? {},
    created_by: `spinesurv ${options.version ?? 'unknown'}`,
  };
  if (fit.strataLevels.length > 1) {
    model.strata = { column: options.strataColumn ?? 'strata', levels: fit.strataLevels, baselines: fit.baselineByStratum.map(curve) };
  }
  return model;
}

/** Writes DIR/model.json atomically (the whole folder appears at once). */
export async function saveCoxModel(dir: string, fit: CoxFit, covariates: string[], options: SaveCoxOptions = {}): Promise<void> {
  const model = coxModelJson(fit, covariates, options);
  await writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, 'model.json'), JSON.stringify(model, null, 2) + '\n');
  }, { force: options.force, createdBy: COX_MODEL_WRITER });
}

export interface LoadedCoxModel {
  model: CoxModelFile;
  /** x . beta for one row (values in the order of model.covariates). */
  linearPredictor(x: ArrayLike<number>): number;
  /** S(t | x) from the stored baseline (the stratum's, for stratified models). */
  survival(t: number, x: ArrayLike<number>, stratum?: string): number;
}

export function loadCoxModel(dir: string): LoadedCoxModel {
  const path = join(dir, 'model.json');
  let model: CoxModelFile;
  try {
    model = JSON.parse(readFileSync(path, 'utf8')) as CoxModelFile;
  } catch (error) {
    throw new InputError(`${path}: cannot read a model (${(error as Error).message})`);
  }
  if (model.kind !== 'coxph') throw new InputError(`${path}: kind is "${String(model.kind)}", not "coxph"`);
  if (model.format_version !== 1) throw new InputError(`${path}: unsupported format_version ${String(model.format_version)}`);
  const ok =
    Array.isArray(model.covariates) &&
    Array.isArray(model.coef) &&
    model.coef.length === model.covariates.length &&
    Array.isArray(model.baseline?.time) &&
    Array.isArray(model.baseline?.cumhaz) &&
    model.baseline.time.length === model.baseline.cumhaz.length;
  if (!ok) throw new InputError(`${path}: malformed coxph model (covariates, coef and baseline must match)`);
  const p = model.coef.length;
  const lp = (x: ArrayLike<number>): number => {
    if (x.length !== p) throw new InputError(`expected ${p} covariate values (${model.covariates.join(', ')}), got ${x.length}`);
    let eta = 0;
    for (let j = 0; j < p; j++) eta += model.coef[j] * x[j];
    return eta;
  };
  return {
    model,
    linearPredictor: lp,
    survival(t: number, x: ArrayLike<number>, stratum?: string): number {
      let curve = model.baseline;
      if (model.strata && stratum !== undefined) {
        const k = model.strata.levels.indexOf(stratum);
        if (k < 0) throw new InputError(`unknown stratum "${stratum}" (levels: ${model.strata.levels.join(', ')})`);
        curve = model.strata.baselines[k];
      }
      return Math.exp(-cumhazAt(curve, t) * Math.exp(lp(x)));
    },
  };
}
