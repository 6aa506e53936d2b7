/**
 * The three reference scores of a synthetic cohort, from the generator's own model (truth.json's
 * `parameters`) and each patient's CSV row as the study read it:
 *
 * - oracle: the true log hazard ratio (truth.json's linear_predictor): the best any model can do.
 * - clinical: log E[hazard | the study's clinical covariates] (age, sex, BMI, glucocorticoids,
 *   secondary osteoporosis: clinical model 3). Rheumatoid arthritis and a previous fracture, which the
 *   study's models do not use, are averaged over their prevalence; the latent density over its normal
 *   spread given the covariates. The ceiling for CoxPH and DeepSurv without images.
 * - all columns: log E[hazard | every CSV column], i.e. the clinical data including rheumatoid
 *   arthritis and previous fracture, plus the measured bmd_tscore, which is a noisy reading of the same
 *   latent density the radiograph shows (bmd = a + b T + noise, rounded to 0.1). Given it, the belief
 *   about T narrows (normal-normal update) and the score rises. frax_mof adds nothing further: the
 *   generator computes it from these same columns. A model without the image but with bmd_tscore can
 *   reach this line, so it, not the clinical line, is the ceiling "without the image" for such models.
 *
 * "Best" is the expected hazard given the information at baseline; the ranking it gives is what a
 * correctly specified model of that information would give. The latent T-score's clipping to its range
 * is ignored (far in the tails), as in src/synth/best-clinical.ts.
 */
import { logExpectedImageHazard } from '../synth/best-clinical.js';
import { expectedTScore } from '../synth/bone-density.js';
import { clinicalLinearPredictor } from '../synth/outcomes.js';
import type { GeneratorParams } from '../synth/params.js';
import type { ClinicalPatient } from '../synth/patients.js';
import type { CohortRow } from './cohort.js';

/** The CSV rounds bmd_tscore to 0.1: uniform rounding error of variance 0.1^2 / 12. */
const BMD_ROUNDING_VARIANCE = 0.01 / 12;

interface Scenario {
  weight: number;
  patient: ClinicalPatient;
}

/**
 * The unknown binary columns (rheumatoid arthritis and previous fracture when `known` says so, or
 * when the CSV lacks them) are averaged over their prevalence in the generator; each combination is
 * a scenario with its probability.
 */
function scenarios(row: CohortRow, params: GeneratorParams, known: { ra: boolean; prior: boolean }): Scenario[] {
  const pRa = params.patients.rheumatoidArthritisProbability;
  const pPrior = params.patients.priorFractureProbability;
  const raValues: [0 | 1, number][] = known.ra && Number.isFinite(row.rheumatoidArthritis)
    ? [[row.rheumatoidArthritis as 0 | 1, 1]]
    : [[0, 1 - pRa], [1, pRa]];
  const priorValues: [0 | 1, number][] = known.prior && Number.isFinite(row.priorFracture)
    ? [[row.priorFracture as 0 | 1, 1]]
    : [[0, 1 - pPrior], [1, pPrior]];
  const out: Scenario[] = [];
  for (const [ra, wRa] of raValues) {
    for (const [prior, wPrior] of priorValues) {
      if (wRa * wPrior === 0) continue;
      out.push({
        weight: wRa * wPrior,
        patient: {
          index: 0,
          patientId: '',
          age: row.age,
          sex: row.female === 1 ? 'F' : 'M',
          bmi: row.bmi,
          glucocorticoid: row.glucocorticoid,
          secondaryOsteoporosis: row.secondaryOsteoporosis,
          rheumatoidArthritis: ra,
          priorFracture: prior,
        },
      });
    }
  }
  return out;
}

/** log sum_k w_k exp(a_k), stably. */
function logWeightedSum(weights: number[], logs: number[]): number {
  const m = Math.max(...logs);
  let s = 0;
  for (let k = 0; k < logs.length; k++) s += weights[k] * Math.exp(logs[k] - m);
  return m + Math.log(s);
}

/** log E[hazard | age, sex, BMI, glucocorticoids, secondary osteoporosis]. */
export function clinicalReferenceScore(row: CohortRow, params: GeneratorParams): number {
  const list = scenarios(row, params, { ra: false, prior: false });
  const d = params.density;
  return logWeightedSum(
    list.map((s) => s.weight),
    list.map((s) => clinicalLinearPredictor(s.patient, params.hazard) + logExpectedImageHazard(expectedTScore(s.patient, d), d.residualSd, params)),
  );
}

/**
 * log E[hazard | every CSV column]. Without a bmd_tscore value the row falls back to the clinical
 * data alone (with rheumatoid arthritis and previous fracture as given).
 */
export function allColumnsReferenceScore(row: CohortRow, params: GeneratorParams): number {
  const list = scenarios(row, params, { ra: true, prior: true });
  const d = params.density;
  const m = row.bmdTscore;
  const priorVar = d.residualSd * d.residualSd;
  const noiseVar = d.measuredNoiseSd * d.measuredNoiseSd + BMD_ROUNDING_VARIANCE;
  const weights: number[] = [];
  const logs: number[] = [];
  for (const s of list) {
    const mu = expectedTScore(s.patient, d);
    let mean = mu;
    let sd = d.residualSd;
    let weight = s.weight;
    if (Number.isFinite(m)) {
      const precision = 1 / priorVar + (d.measuredSlope * d.measuredSlope) / noiseVar;
      mean = (mu / priorVar + (d.measuredSlope * (m - d.measuredIntercept)) / noiseVar) / precision;
      sd = Math.sqrt(1 / precision);
      // An unknown binary column is reweighted by how well each value explains the measurement.
      const predictedVar = d.measuredSlope * d.measuredSlope * priorVar + noiseVar;
      const residual = m - (d.measuredIntercept + d.measuredSlope * mu);
      weight *= Math.exp((-0.5 * residual * residual) / predictedVar);
    }
    weights.push(weight);
    logs.push(clinicalLinearPredictor(s.patient, params.hazard) + logExpectedImageHazard(mean, sd, params));
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return logWeightedSum(weights.map((w) => w / total), logs);
}
