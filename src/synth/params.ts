/**
 * Every number the synthetic-cohort generator uses, in one place, so that truth.json can record the
 * exact model that produced a cohort and docs/synthetic-cohort.md can state it. Values are chosen to
 * look like the source study's Table 1 (SNUH, 1,595 patients aged 50-75) and published risk gradients
 * (vertebral fracture risk roughly doubles per SD lower spine BMD; a prevalent deformity roughly
 * triples it), then the baseline scale was tuned so that about 7.5% of patients have an event.
 */

export interface PatientParams {
  ageMean: number;
  ageSd: number;
  ageMin: number;
  ageMax: number;
  femaleProbability: number;
  bmiMean: number;
  bmiSd: number;
  bmiMin: number;
  bmiMax: number;
  glucocorticoidProbability: number;
  secondaryOsteoporosisProbability: number;
  rheumatoidArthritisProbability: number;
  /** The study excluded baseline fractures, so prior_fracture is always 0 at the default. */
  priorFractureProbability: number;
}

/**
 * Coefficients of the clinical covariates that the density, FRAX stand-in and hazard models share;
 * age and BMI enter centred at the given values (withClinicalTerms in patients.ts sums them).
 */
export interface ClinicalCoefficients {
  agePerYear: number;
  ageCentre: number;
  female: number;
  bmiPerUnit: number;
  bmiCentre: number;
  glucocorticoid: number;
  secondaryOsteoporosis: number;
  rheumatoidArthritis: number;
}

/** Latent lumbar T-score = intercept + sum(coefficient * covariate) + Normal(0, residualSd). */
export interface DensityParams extends ClinicalCoefficients {
  intercept: number;
  residualSd: number;
  min: number;
  max: number;
  /** The CSV's bmd_tscore is a separate (femoral-neck-like) DXA measurement: a + b * latent + noise. */
  measuredIntercept: number;
  measuredSlope: number;
  measuredNoiseSd: number;
}

/** P(mild prevalent deformity) = logistic(intercept + perTScore * latent T-score). */
export interface DeformityParams {
  intercept: number;
  perTScore: number;
  /** Height loss of the deformed body, uniform in [min, max] (Genant grade 1 is 20-25%). */
  heightLossMin: number;
  heightLossMax: number;
  /** Relative chance of each level L1..L5 being the deformed one (thoracolumbar junction most). */
  levelWeights: number[];
}

/**
 * Log hazard (linear predictor) = clinical terms + image-visible terms; each covariate is centred at
 * the reference value given here so that the baseline hazard describes a typical patient.
 */
export interface HazardParams extends ClinicalCoefficients {
  priorFracture: number;
  /** Per unit of latent lumbar T-score (negative: lower density, higher hazard). */
  tscore: number;
  tscoreCentre: number;
  /** For a mild prevalent deformity (0/1), visible on the radiograph. */
  deformity: number;
  /** Weibull baseline: cumulative hazard H0(t) = (t / scale)^shape, t in years. */
  weibullShape: number;
  weibullScale: number;
  /** Independent administrative censoring: minYears + (maxYears - minYears) * Beta(a, b). */
  censorMinYears: number;
  censorMaxYears: number;
  censorBetaA: number;
  censorBetaB: number;
}

/**
 * Stand-in for FRAX major osteoporotic fracture probability (NOT the FRAX algorithm, which is
 * proprietary): 10-year probability = 1 - exp(-exp(logit-like score)) with the score below. Real users
 * supply the official calculator's value in this column.
 */
export interface FraxStandInParams extends ClinicalCoefficients {
  intercept: number;
  priorFracture: number;
  /** Per unit of the measured bmd_tscore column. */
  bmdTscore: number;
}

export interface SplitParams {
  /** Test share of the study: 179 of 1,595. */
  testNumerator: number;
  testDenominator: number;
}

export interface GeneratorParams {
  patients: PatientParams;
  density: DensityParams;
  deformity: DeformityParams;
  hazard: HazardParams;
  frax: FraxStandInParams;
  split: SplitParams;
}

export const DEFAULT_PARAMS: GeneratorParams = {
  patients: {
    ageMean: 58.5,
    ageSd: 8.9,
    ageMin: 50,
    ageMax: 75,
    femaleProbability: 0.745,
    bmiMean: 24.1,
    bmiSd: 3.7,
    bmiMin: 15,
    bmiMax: 40,
    glucocorticoidProbability: 0.52,
    secondaryOsteoporosisProbability: 0.05,
    rheumatoidArthritisProbability: 0.035,
    priorFractureProbability: 0,
  },
  density: {
    intercept: -0.4,
    agePerYear: -0.035,
    ageCentre: 60,
    female: -1.1,
    bmiPerUnit: 0.08,
    bmiCentre: 24,
    glucocorticoid: -0.35,
    secondaryOsteoporosis: -0.4,
    rheumatoidArthritis: -0.3,
    residualSd: 1.0,
    min: -5,
    max: 3,
    measuredIntercept: -0.6,
    measuredSlope: 0.4,
    measuredNoiseSd: 0.9,
  },
  deformity: {
    intercept: -4.0,
    perTScore: -0.9,
    heightLossMin: 0.15,
    heightLossMax: 0.25,
    levelWeights: [0.35, 0.25, 0.18, 0.12, 0.1],
  },
  hazard: {
    agePerYear: 0.04,
    ageCentre: 60,
    female: 0.2,
    bmiPerUnit: -0.03,
    bmiCentre: 24,
    glucocorticoid: 0.4,
    secondaryOsteoporosis: 0.35,
    rheumatoidArthritis: 0.3,
    priorFracture: 0.7,
    tscore: -0.95,
    tscoreCentre: -1.2,
    deformity: 1.3,
    weibullShape: 1.3,
    weibullScale: 85,
    censorMinYears: 0.5,
    censorMaxYears: 7,
    censorBetaA: 0.85,
    censorBetaB: 0.9,
  },
  frax: {
    intercept: -3.0,
    agePerYear: 0.05,
    ageCentre: 65,
    female: 0.45,
    bmiPerUnit: -0.02,
    bmiCentre: 24,
    glucocorticoid: 0.35,
    secondaryOsteoporosis: 0.2,
    rheumatoidArthritis: 0.25,
    priorFracture: 0.65,
    bmdTscore: -0.25,
  },
  split: { testNumerator: 179, testDenominator: 1595 },
};

/**
 * The generator's parameters with another test share: the split is dealt as before (stratified by
 * outcome, same stream), only its size changes (round(n * fraction)). Everything else is untouched.
 */
export function withTestFraction(params: GeneratorParams, fraction: number): GeneratorParams {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`test fraction must be in (0, 1), got ${fraction}`);
  return { ...params, split: { testNumerator: fraction, testDenominator: 1 } };
}
