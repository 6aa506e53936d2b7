/**
 * Every model of a study, applied unchanged to a new site's rows: a risk per cohort line (the model's
 * log hazard ratio; FRAX's 10-year probability as given) and S(t | risk) from the model's own
 * baseline. Tabular models are scored as `spinesurv predict` scores them (models/predictor), image
 * models as `predict --image` (score-images.ts), FRAX as the study reads it (fit-models.ts).
 */
import type { SurvivalPredictor } from '../../models/predictor.js';
import { loadPredictor } from '../../models/predictor.js';
import { InputError } from '../../util/errors.js';
import type { Cohort, CohortRow } from '../cohort.js';
import { CLINICAL_MODELS, designMatrix, inSubgroup, type Covariate } from '../design.js';
import { fraxSurvival } from '../fit-models.js';
import type { ModelResult } from '../../report/results.js';
import type { StudyFolder } from './study-folder.js';
import { scoreImages, type ImageModelRef } from './score-images.js';

export interface AppliedModel {
  entry: ModelResult;
  /** Cohort line -> risk, for the rows of the model's subgroup that could be scored. */
  risk: Map<number, number>;
  survival(risk: number, t: number): number;
  /** True when risk is a log hazard ratio (every fitted model; not FRAX). */
  logHazard: boolean;
}

export interface AppliedStudy {
  models: AppliedModel[];
  /** Cohort lines no image model could read, with the reason. */
  refused: Map<number, string>;
  dispose(): void;
}

const KNOWN = new Set<string>(CLINICAL_MODELS[3]);

/** A cohort that lacks what a model reads is refused by column, before anything is scored. */
export function checkCohortColumns(study: StudyFolder, cohort: Cohort): void {
  const methods = new Set(study.models.map((m) => m.method));
  if (methods.has('frax') && !cohort.hasFrax) {
    throw new InputError(`${cohort.file}: no column "frax_mof", which the study's FRAX comparator needs (map it with --config)`);
  }
  if ((methods.has('deepsurv_image') || methods.has('deepsurv_image_only')) && !cohort.present.image) {
    throw new InputError(`${cohort.file}: no column "image", which the study's image models need (map it with --config)`);
  }
}

function tabular(entry: ModelResult, predictor: SurvivalPredictor, rows: CohortRow[]): AppliedModel {
  for (const c of predictor.covariates) {
    if (!KNOWN.has(c)) throw new InputError(`model ${entry.key}: covariate "${c}" is not one the study design defines`);
  }
  const picked = rows.filter((r) => inSubgroup(r, entry.subgroup));
  const risk = predictor.risk(designMatrix(picked, predictor.covariates as Covariate[]), picked.length);
  return { entry, risk: new Map(picked.map((r, i) => [r.line, risk[i]])), survival: (r, t) => predictor.survival(r, t), logHazard: true };
}

function frax(entry: ModelResult, rows: CohortRow[]): AppliedModel {
  const picked = rows.filter((r) => inSubgroup(r, entry.subgroup));
  return { entry, risk: new Map(picked.map((r) => [r.line, r.frax])), survival: fraxSurvival, logHazard: false };
}

export async function applyStudy(study: StudyFolder, cohort: Cohort): Promise<AppliedStudy> {
  const predictors: SurvivalPredictor[] = [];
  const models: AppliedModel[] = [];
  const imageRefs: ImageModelRef[] = [];
  let disposeImages = (): void => {};
  try {
    for (const entry of study.models) {
      if (entry.method === 'frax') continue;
      if (entry.method === 'deepsurv_image' || entry.method === 'deepsurv_image_only') {
        imageRefs.push({ key: entry.key, dir: study.modelDir(entry.key)!, subgroup: entry.subgroup });
        continue;
      }
      const predictor = await loadPredictor(study.modelDir(entry.key)!);
      predictors.push(predictor);
      models.push(tabular(entry, predictor, cohort.rows));
    }
    let refused = new Map<number, string>();
    if (imageRefs.length > 0) {
      const scores = await scoreImages(imageRefs, cohort.rows, cohort.dir);
      disposeImages = () => { for (const m of scores.models.values()) m.dispose(); };
      refused = scores.refused;
      for (const ref of imageRefs) {
        const model = scores.models.get(ref.key)!;
        models.push({ entry: study.models.find((m) => m.key === ref.key)!, risk: scores.risk.get(ref.key)!, survival: (r, t) => model.survival(r, t), logHazard: true });
      }
    }
    for (const entry of study.models) if (entry.method === 'frax') models.push(frax(entry, cohort.rows));
    // The study's order, so that results and report list the models as the study did.
    const order = new Map(study.models.map((m, k) => [m.key, k]));
    models.sort((a, b) => order.get(a.entry.key)! - order.get(b.entry.key)!);
    return { models, refused, dispose: () => { for (const p of predictors) p.dispose(); disposeImages(); } };
  } catch (error) {
    for (const p of predictors) p.dispose();
    disposeImages();
    throw error;
  }
}
