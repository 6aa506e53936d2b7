/**
 * Everything about the cohort except the pictures: clinical data, latent density, deformity,
 * outcomes, the FRAX stand-in, the split and the true linear predictors. Cheap (no images), so it
 * can be checked over many seeds.
 */
import type { GeneratorParams } from './params.js';
import { drawClinicalPatient, type ClinicalPatient } from './patients.js';
import { drawLatentTScore, drawMeasuredTScore } from './bone-density.js';
import { drawDeformity, type Deformity } from './deformity.js';
import { clinicalLinearPredictor, drawOutcome, imageLinearPredictor, type Outcome } from './outcomes.js';
import { bestClinicalLinearPredictor } from './best-clinical.js';
import { fraxStandIn } from './frax-standin.js';
import { splitCohort, type SplitName } from './split.js';

export interface SynthPatient extends ClinicalPatient {
  /** Latent lumbar T-score that the radiograph shows. */
  latentTScore: number;
  /** The CSV's bmd_tscore: a DXA-like measurement at another site. */
  bmdTscore: number;
  deformity: Deformity | null;
  fraxMof: number;
  /** True log hazard ratio and its parts. */
  lp: number;
  lpClinical: number;
  lpImage: number;
  /** Best score a model without the image could reach (see best-clinical.ts). */
  lpBestClinical: number;
  outcome: Outcome;
  split: SplitName;
}

export function drawPopulation(seed: number, n: number, params: GeneratorParams): SynthPatient[] {
  const rows: Omit<SynthPatient, 'split'>[] = [];
  for (let i = 0; i < n; i++) {
    const clinical = drawClinicalPatient(seed, i, n, params.patients);
    const latentTScore = drawLatentTScore(seed, clinical, params.density);
    const bmdTscore = drawMeasuredTScore(seed, i, latentTScore, params.density);
    const deformity = drawDeformity(seed, i, latentTScore, params.deformity);
    const lpClinical = clinicalLinearPredictor(clinical, params.hazard);
    const lpImage = imageLinearPredictor(latentTScore, deformity !== null, params.hazard);
    const lp = lpClinical + lpImage;
    rows.push({
      ...clinical,
      latentTScore,
      bmdTscore,
      deformity,
      fraxMof: fraxStandIn(clinical, bmdTscore, params.frax),
      lp,
      lpClinical,
      lpImage,
      lpBestClinical: bestClinicalLinearPredictor(clinical, params),
      outcome: drawOutcome(seed, i, lp, params.hazard),
    });
  }
  const split = splitCohort(seed, rows.map((r) => r.outcome.fracture), params.split);
  return rows.map((r, i) => ({ ...r, split: split[i] }));
}
