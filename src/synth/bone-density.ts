/**
 * The latent lumbar bone density (a T-score) that the radiograph shows, and the separate DXA-like
 * measurement that goes into the CSV's bmd_tscore column. The latent value depends on the clinical
 * data plus its own noise, so the image carries information that the clinical data do not.
 */
import type { DensityParams } from './params.js';
import { withClinicalTerms, type ClinicalPatient } from './patients.js';
import { roundTo } from './distributions.js';
import { streamRandom } from './streams.js';

/** The mean of the latent T-score given the clinical data (before the residual noise). */
export function expectedTScore(p: ClinicalPatient, d: DensityParams): number {
  return withClinicalTerms(d.intercept, p, d);
}

export function drawLatentTScore(seed: number, p: ClinicalPatient, d: DensityParams): number {
  const rng = streamRandom(seed, 'density', p.index);
  const t = expectedTScore(p, d) + rng.normal(0, d.residualSd);
  return Math.min(d.max, Math.max(d.min, t));
}

/** The bmd_tscore column: a noisy, different-site measurement of the latent density (0.1 precision). */
export function drawMeasuredTScore(seed: number, index: number, latent: number, d: DensityParams): number {
  const rng = streamRandom(seed, 'measurement', index);
  return roundTo(d.measuredIntercept + d.measuredSlope * latent + rng.normal(0, d.measuredNoiseSd), 1);
}
