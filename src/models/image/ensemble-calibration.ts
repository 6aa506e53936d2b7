/**
 * Regression calibration of the ensemble's fusion (cross-fit.ts).
 *
 * Why: the Cox fusion is fitted on the out-of-fold image score, where each training row is scored by
 * ONE member, but a new patient is scored by the MEAN of the K members. A member's score is the image
 * signal the members share plus the member's own noise (its seed, its folds); the mean of K members
 * carries a K-th of that noise. A Cox coefficient fitted on a noisy score is attenuated towards 0 by
 * the score's reliability (regression dilution), and the clinical coefficients soak up the part of the
 * image signal that they are correlated with. Applying the out-of-fold coefficients to the less noisy
 * mean therefore under-weights the image against the covariates (measured on the demo cohort: the
 * image-only model beat image + clinical model 3 in every one of five seeds, docs/report.md).
 *
 * The correction (regression calibration, e.g. Carroll et al., "Measurement Error in Nonlinear
 * Models", ch. 4): the fitted model is read as a model of the calibrated score E[T | s, z], the best
 * linear prediction of the shared signal T from the score s and the covariates z. Its coefficients
 * depend on the noise in s, which is one member's at training and a K-th of it for the mean, so the
 * same Cox model is re-expressed for the mean of K members. Everything comes from the training rows:
 * - one member's score variance: the variance of the pooled out-of-fold score;
 * - the shared variance: the covariance of two members' scores on the held-out fold of one of them
 *   (the other trained on those rows, so its fit to their outcomes adds a little: the estimate errs
 *   towards more shared variance, that is towards a smaller correction);
 * - the covariances of the score with the covariates (the noise is independent of them).
 */
import { covariance, variance } from '../../stats/descriptive.js';
import { take } from '../../survival/index.js';
import { ldlDecompose, ldlSolve } from '../../survival/linalg.js';

export interface MemberAgreement {
  /** Variance of one member's score on rows it did not train on (the pooled out-of-fold score). */
  singleVariance: number;
  /** Covariance of two members' scores on the held-out fold of one of them: the signal they share. */
  sharedVariance: number;
  /** Variance of the mean of the K members on new patients: shared + (single - shared) / K. */
  ensembleVariance: number;
}

/**
 * How much the members agree. scores[m] is member m's score on every training row, held[m] the rows
 * member m did not train on, outOfFold the pooled out-of-fold score (scores[m][i] for i in held[m]).
 */
export function memberAgreement(scores: Float64Array[], held: Int32Array[], outOfFold: Float64Array): MemberAgreement {
  const k = scores.length;
  if (k < 2 || held.length !== k) throw new RangeError('memberAgreement needs the scores and held-out rows of at least two members');
  const singleVariance = variance(outOfFold);
  let weighted = 0;
  let weight = 0;
  for (let a = 0; a < k; a++) {
    if (held[a].length < 3) continue;
    const own = take(scores[a], held[a]);
    for (let b = 0; b < k; b++) {
      if (a === b) continue;
      weighted += covariance(own, take(scores[b], held[a])) * held[a].length;
      weight += held[a].length;
    }
  }
  const shared = Math.min(singleVariance, Math.max(0, weight > 0 ? weighted / weight : 0));
  return { singleVariance, sharedVariance: shared, ensembleVariance: shared + (singleVariance - shared) / k };
}

/** Weights of the best linear prediction of the shared signal from [score with this variance, z]. */
function calibrationWeights(scoreVariance: number, shared: number, scoreByZ: Float64Array, zByZ: Float64Array, p: number): Float64Array {
  const q = p + 1;
  const m = new Float64Array(q * q);
  m[0] = scoreVariance;
  for (let j = 0; j < p; j++) {
    m[(j + 1) * q] = m[j + 1] = scoreByZ[j];
    for (let l = 0; l < p; l++) m[(j + 1) * q + l + 1] = zByZ[j * p + l];
  }
  const rhs = new Float64Array(q);
  rhs[0] = shared;
  for (let j = 0; j < p; j++) rhs[j + 1] = scoreByZ[j];
  return ldlSolve(ldlDecompose(m, q, 1e-9), rhs);
}

export interface CalibratedFusion {
  /** [image, covariates...] for the mean of the K members: what the deployed network applies. */
  coefficients: number[];
  /** The factor on the image coefficient (1 = no change). */
  imageFactor: number;
}

/**
 * The fitted fusion [image, z_1..z_p] (on the out-of-fold score) re-expressed for the mean of the
 * members. z is row-major n x p (standardised covariates; a constant column keeps its coefficient).
 * With no shared signal there is nothing to calibrate and the fit is returned as it is.
 */
export function calibrateFusion(fitted: number[], outOfFold: Float64Array, z: Float64Array | null, p: number, agreement: MemberAgreement): CalibratedFusion {
  const n = outOfFold.length;
  const column = (j: number) => Float64Array.from({ length: n }, (_, i) => z![i * p + j]);
  const columns = Array.from({ length: p }, (_, j) => column(j));
  const scoreByZ = Float64Array.from(columns, (c) => covariance(outOfFold, c));
  const zByZ = new Float64Array(p * p);
  for (let j = 0; j < p; j++) for (let l = 0; l <= j; l++) zByZ[j * p + l] = zByZ[l * p + j] = covariance(columns[j], columns[l]);
  const { singleVariance, sharedVariance, ensembleVariance } = agreement;
  const single = calibrationWeights(singleVariance, sharedVariance, scoreByZ, zByZ, p);
  const ensemble = calibrationWeights(ensembleVariance, sharedVariance, scoreByZ, zByZ, p);
  if (!(single[0] > 1e-6) || !Number.isFinite(ensemble[0])) return { coefficients: [...fitted], imageFactor: 1 };
  // The fitted risk b_s s + b_z z is beta (w_s s + w_z z) + gamma z, with (beta, gamma) the model of
  // the calibrated score; the same (beta, gamma) with the ensemble's weights gives the deployed risk.
  const beta = fitted[0] / single[0];
  const coefficients = [beta * ensemble[0], ...Array.from({ length: p }, (_, j) => fitted[j + 1] + beta * (ensemble[j + 1] - single[j + 1]))];
  return { coefficients, imageFactor: ensemble[0] / single[0] };
}
