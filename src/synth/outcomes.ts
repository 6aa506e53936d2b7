/**
 * Time to first incident vertebral fracture from a proportional-hazards model with a Weibull
 * baseline, and independent administrative censoring:
 *
 *   lp = lp_clinical + lp_image
 *   lp_clinical = b_age (age - 60) + b_female [F] + b_bmi (bmi - 24) + b_gc GC + b_sec SecOP + b_ra RA + b_prior PriorFx
 *   lp_image    = b_t (T_latent - T_centre) + b_def Deformity
 *   S(t | x) = exp(-(t / scale)^shape * exp(lp))      so  T = scale * (E / exp(lp))^(1 / shape), E ~ Exp(1)
 *   C = min + (max - min) * Beta(a, b);  followup = min(T, C);  fracture = [T <= C]
 */
import type { HazardParams } from './params.js';
import { withClinicalTerms, type ClinicalPatient } from './patients.js';
import { beta } from './distributions.js';
import { streamRandom } from './streams.js';

export function clinicalLinearPredictor(p: ClinicalPatient, h: HazardParams): number {
  return withClinicalTerms(0, p, h) + h.priorFracture * p.priorFracture;
}

export function imageLinearPredictor(tscore: number, deformity: boolean, h: HazardParams): number {
  return h.tscore * (tscore - h.tscoreCentre) + h.deformity * (deformity ? 1 : 0);
}

export interface Outcome {
  eventTime: number;
  censorTime: number;
  followupYears: number;
  fracture: 0 | 1;
}

export function drawOutcome(seed: number, index: number, lp: number, h: HazardParams): Outcome {
  const rng = streamRandom(seed, 'outcome', index);
  const e = rng.exponential(1);
  const eventTime = h.weibullScale * Math.pow(e / Math.exp(lp), 1 / h.weibullShape);
  const censorTime = h.censorMinYears + (h.censorMaxYears - h.censorMinYears) * beta(rng, h.censorBetaA, h.censorBetaB);
  const fracture = eventTime <= censorTime ? 1 : 0;
  // Follow-up is recorded to 0.001 year (about 9 hours), as the CSV holds it.
  return { eventTime, censorTime, followupYears: Math.round(Math.min(eventTime, censorTime) * 1000) / 1000, fracture };
}
