/**
 * Baseline clinical data drawn like the study's Table 1. Values are rounded the way a record would
 * hold them (age and BMI to 0.1), and every later step uses the rounded values, so the CSV holds
 * exactly the covariates that the true model saw.
 */
import type { ClinicalCoefficients, PatientParams } from './params.js';
import { roundTo } from './distributions.js';
import { streamRandom } from './streams.js';

export interface ClinicalPatient {
  /** 0-based position in the cohort. */
  index: number;
  patientId: string;
  age: number;
  sex: 'F' | 'M';
  bmi: number;
  glucocorticoid: 0 | 1;
  secondaryOsteoporosis: 0 | 1;
  rheumatoidArthritis: 0 | 1;
  priorFracture: 0 | 1;
}

/**
 * start + the shared clinical terms (age and BMI centred, female, the three risk factors), added
 * left to right in this order: callers add their own further terms after it.
 */
export function withClinicalTerms(start: number, p: ClinicalPatient, c: ClinicalCoefficients): number {
  return (
    start +
    c.agePerYear * (p.age - c.ageCentre) +
    c.female * (p.sex === 'F' ? 1 : 0) +
    c.bmiPerUnit * (p.bmi - c.bmiCentre) +
    c.glucocorticoid * p.glucocorticoid +
    c.secondaryOsteoporosis * p.secondaryOsteoporosis +
    c.rheumatoidArthritis * p.rheumatoidArthritis
  );
}

export function patientId(index: number, total: number): string {
  return `SYN${String(index + 1).padStart(Math.max(4, String(total).length), '0')}`;
}

/** One patient's clinical data; depends only on (seed, index), not on the cohort size. */
export function drawClinicalPatient(seed: number, index: number, total: number, p: PatientParams): ClinicalPatient {
  const rng = streamRandom(seed, 'clinical', index);
  const age = roundTo(rng.truncatedNormal(p.ageMean, p.ageSd, p.ageMin, p.ageMax), 1);
  const sex = rng.bernoulli(p.femaleProbability) ? 'F' : 'M';
  const bmi = roundTo(rng.truncatedNormal(p.bmiMean, p.bmiSd, p.bmiMin, p.bmiMax), 1);
  const flag = (probability: number): 0 | 1 => (rng.bernoulli(probability) ? 1 : 0);
  return {
    index,
    patientId: patientId(index, total),
    age: Math.min(p.ageMax, Math.max(p.ageMin, age)),
    sex,
    bmi,
    glucocorticoid: flag(p.glucocorticoidProbability),
    secondaryOsteoporosis: flag(p.secondaryOsteoporosisProbability),
    rheumatoidArthritis: flag(p.rheumatoidArthritisProbability),
    priorFracture: flag(p.priorFractureProbability),
  };
}
