/**
 * The best risk score a model without the image could reach: the clinical data predict the latent
 * density only up to its residual noise, so the hazard given the clinical data alone is
 *   exp(lp_clinical) * E[ exp(lp_image) | clinical ],
 * with T ~ Normal(expectedTScore, residualSd) and, given T, deformity ~ Bernoulli(p(T)):
 *   E[exp(lp_image) | clinical] = integral phi(T) exp(b_t (T - T_centre)) (1 + p(T) (exp(b_def) - 1)) dT.
 * Its log is computed by quadrature on a fine grid (clipping of T to its range is ignored; it is far
 * in the tails). The same expectation over any normal belief about T (logExpectedImageHazard) gives the
 * best score for other information sets, e.g. the clinical data plus the CSV's measured bmd_tscore
 * (src/study/reference-lines.ts).
 */
import type { GeneratorParams } from './params.js';
import type { ClinicalPatient } from './patients.js';
import { expectedTScore } from './bone-density.js';
import { deformityProbability } from './deformity.js';
import { clinicalLinearPredictor } from './outcomes.js';

const GRID_HALF_WIDTH_SD = 7;
const GRID_POINTS = 281;

/** log E[exp(lp_image)] when the latent T-score is believed to be Normal(mean, sd). */
export function logExpectedImageHazard(mean: number, sd: number, params: GeneratorParams): number {
  const h = params.hazard;
  const step = (2 * GRID_HALF_WIDTH_SD * sd) / (GRID_POINTS - 1);
  const deformityFactor = Math.exp(h.deformity) - 1;
  let sum = 0;
  let weightSum = 0;
  for (let k = 0; k < GRID_POINTS; k++) {
    const t = mean - GRID_HALF_WIDTH_SD * sd + k * step;
    const z = (t - mean) / sd;
    const w = Math.exp(-0.5 * z * z) * (k === 0 || k === GRID_POINTS - 1 ? 0.5 : 1);
    sum += w * Math.exp(h.tscore * (t - h.tscoreCentre)) * (1 + deformityProbability(t, params.deformity) * deformityFactor);
    weightSum += w;
  }
  return Math.log(sum / weightSum);
}

export function bestClinicalLinearPredictor(p: ClinicalPatient, params: GeneratorParams): number {
  return clinicalLinearPredictor(p, params.hazard) + logExpectedImageHazard(expectedTScore(p, params.density), params.density.residualSd, params);
}
