/**
 * A STAND-IN for the FRAX 10-year major osteoporotic fracture probability, so that the synthetic
 * cohort has a frax_mof column to compare against. It is NOT FRAX (whose equations are not public);
 * real users supply the official calculator's value. Formula (probability in percent, 0.1 precision):
 *   s = a + b_age (age - 65) + b_female [F] + b_bmi (bmi - 24) + b_gc GC + b_sec SecOP + b_ra RA
 *       + b_prior PriorFx + b_bmd bmd_tscore
 *   frax_mof = 100 * (1 - exp(-exp(s)))
 * It uses the measured bmd_tscore column (like FRAX uses femoral-neck BMD), not the latent density.
 */
import type { FraxStandInParams } from './params.js';
import { withClinicalTerms, type ClinicalPatient } from './patients.js';
import { roundTo } from './distributions.js';

export function fraxStandIn(p: ClinicalPatient, bmdTscore: number, f: FraxStandInParams): number {
  const s = withClinicalTerms(f.intercept, p, f) + f.priorFracture * p.priorFracture + f.bmdTscore * bmdTscore;
  return roundTo(100 * (1 - Math.exp(-Math.exp(s))), 1);
}
