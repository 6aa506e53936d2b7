/**
 * coxph(): Cox proportional-hazards regression, following survival::coxph (coxfit6) step for step:
 * Newton-Raphson from beta = 0, convergence when the relative change in log-likelihood is <= tol
 * (1e-9), step halving when the likelihood goes down or is not finite, at most maxIter (20) steps,
 * SEs from the inverse information, Breslow baseline. The same iteration path as R means the same
 * answer to rounding, not just to the optimiser's tolerance.
 */
import { InputError } from '../../util/errors.js';
import { checkFinite, checkSurvival, checkWeights, strataCodes } from '../validate.js';
import { ldlDecompose, ldlInverse, ldlSolve } from '../linalg.js';
import { prepareCoxData } from './prepare.js';
import { coxLoglik } from './loglik.js';
import { efronDeaths } from './efron.js';
import { breslowDeaths } from './breslow.js';
import type { CoxAccumulator } from './risk-set.js';
import { coxBaselinePerStratum, cumhazAt, type CoxBaselineCurve } from './baseline.js';
import { robustVariance } from './score-residuals.js';
import { chiSquareUpper, normalQuantile, normalTwoSidedP } from '../../stats/distributions.js';
import { concordance } from '../concordance.js';
import { timefixWithRanks } from '../timefix.js';

export type CoxTies = 'efron' | 'breslow';

export interface CoxInput {
  time: ArrayLike<number>;
  event: ArrayLike<number>;
  /** One array per covariate (column). */
  covariates: ArrayLike<number>[];
  names?: string[];
  /** Stratum label per row: a separate baseline hazard per stratum. */
  strata?: ArrayLike<number | string>;
  /** Case weights (>= 0). */
  weights?: ArrayLike<number>;
  offset?: ArrayLike<number>;
  ties?: CoxTies;
  /**
   * Ridge penalty theta: maximises loglik - theta/2 * sum((beta_j * s_j)^2), where s_j is covariate j's
   * standard deviation with ridgeScale (R's ridge(..., theta, scale = TRUE), R's default) and 1 without
   * (R's scale = FALSE).
   */
  ridge?: number;
  /** Penalise the coefficients of the standardised covariates, as R's ridge(scale = TRUE) (default false here; the CLI defaults to true as R). */
  ridgeScale?: boolean;
  maxIter?: number;
  /** Convergence: relative change in log-likelihood (R's eps, default 1e-9). */
  tol?: number;
  /** Compute Harrell's C of the linear predictor (default true; R's coxph does too). */
  concordance?: boolean;
  /** Merge times equal up to rounding noise, as R's timefix = TRUE (default true). */
  timefix?: boolean;
  /**
   * Robust (sandwich) variance from the score residuals. Default as R's coxph: on when the case
   * weights are not all integers, off otherwise.
   */
  robust?: boolean;
}

export interface CoxFit {
  names: string[];
  n: number;
  nevent: number;
  ties: CoxTies;
  coef: number[];
  se: number[];
  hr: number[];
  hrCi95: [number, number][];
  z: number[];
  p: number[];
  /** Variance-covariance matrix of coef, p x p: the inverse information, or the robust one when robust. */
  var: number[][];
  /** The model-based variance (inverse information), whether or not the robust one is used. */
  naiveVar: number[][];
  robust: boolean;
  /** Partial log-likelihood at the estimate (without the ridge penalty) and at beta = 0. */
  loglik: number;
  loglik0: number;
  /** The ridge penalty at the estimate (0 without ridge). */
  penalty: number;
  lrTest: { statistic: number; df: number; p: number };
  scoreTest: { statistic: number; df: number; p: number };
  waldTest: { statistic: number; df: number; p: number };
  iterations: number;
  converged: boolean;
  warnings: string[];
  /** Weighted covariate means (R's fit$means; 0 for 0/1 covariates, as R). */
  means: number[];
  /** x . beta for each input row, in input order (uncentred). */
  linearPredictor: Float64Array;
  /** Harrell's C of the linear predictor (stratified when strata are given) and its IJ SE. */
  concordance?: { c: number; se: number };
  /** Baseline cumulative hazard at covariates = 0 (the first stratum's when stratified). */
  baseline: CoxBaselineCurve;
  /** Stratum levels and one baseline per stratum (one level "all" without strata). */
  strataLevels: string[];
  baselineByStratum: CoxBaselineCurve[];
  /** Predicted survival S(t | x) = exp(-H0(t) exp(x . beta)); x in the order of names. */
  survival(t: number, x: ArrayLike<number>, stratum?: string): number;
}

export function coxph(input: CoxInput): CoxFit {
  const ties: CoxTies = input.ties ?? 'efron';
  if (ties !== 'efron' && ties !== 'breslow') throw new InputError(`ties must be "efron" or "breslow", got "${String(ties)}"`);
  const maxIter = input.maxIter ?? 20;
  const eps = input.tol ?? 1e-9;
  const tolerChol = Math.pow(2.220446049250313e-16, 0.75);
  const tolerInf = Math.sqrt(eps);
  const checked = checkSurvival(input.time, input.event);
  const event = checked.event;
  const fixed = input.timefix === false ? { time: checked.time, ranks: undefined } : timefixWithRanks(checked.time);
  const time = fixed.time;
  const n = time.length;
  const p = input.covariates.length;
  if (p === 0) throw new InputError('coxph needs at least one covariate');
  const names = input.names ?? input.covariates.map((_, j) => `x${j + 1}`);
  if (names.length !== p) throw new InputError(`${names.length} names for ${p} covariates`);
  const cols = input.covariates.map((c, j) => checkFinite(c, n, `covariate "${names[j]}"`));
  const weight = checkWeights(input.weights, n);
  const offset = input.offset ? checkFinite(input.offset, n, 'offset') : undefined;
  const { codes, levels } = strataCodes(input.strata, n);
  let nevent = 0;
  for (let i = 0; i < n; i++) nevent += event[i];
  if (nevent === 0) throw new InputError('no events: a Cox model needs at least one event');

  const data = prepareCoxData(time, event, cols, weight, codes, levels.length, names, offset, fixed.ranks);
  const tieHandler = ties === 'efron' ? efronDeaths : breslowDeaths;
  const ridge = input.ridge ?? 0;
  if (!(ridge >= 0)) throw new InputError(`ridge must be >= 0, got ${ridge}`);
  // R's ridge(scale = TRUE) divides each covariate by its SD (var() over the rows, n - 1) before penalising.
  const ridgeSd = cols.map((c) => (input.ridgeScale ? sampleSd(c) : 1));
  const penalty = ridge > 0 ? Float64Array.from(data.scale, (s, j) => ridge * ridgeSd[j] * ridgeSd[j] * s * s) : undefined;
  const acc: CoxAccumulator = { loglik: 0, u: new Float64Array(p), imat: new Float64Array(p * p) };
  const warnings: string[] = [];

  let beta = new Float64Array(p);
  const loglik0 = coxLoglik(data, beta, tieHandler, acc, penalty);
  let factor = ldlDecompose(acc.imat, p, tolerChol);
  if (factor.rank < p) {
    const bad = factor.singular.map((j) => `"${names[j]}"`).join(', ');
    throw new InputError(`covariates are collinear: ${bad} ${factor.singular.length > 1 ? 'are linear combinations' : 'is a linear combination'} of the others (R would give NA)`);
  }
  const step = ldlSolve(factor, Float64Array.from(acc.u));
  let scoreStat = 0;
  for (let i = 0; i < p; i++) scoreStat += acc.u[i] * step[i];

  let best = loglik0;
  let newBeta = Float64Array.from(beta, (b, i) => b + step[i]);
  let halving = 0;
  let converged = false;
  let iterations = 0;
  let finalLoglik = loglik0;
  if (maxIter === 0) {
    converged = false;
  } else {
    for (iterations = 1; iterations <= maxIter; iterations++) {
      const newLoglik = coxLoglik(data, newBeta, tieHandler, acc, penalty);
      factor = ldlDecompose(acc.imat, p, tolerChol);
      const finite = Number.isFinite(newLoglik) && acc.u.every(Number.isFinite) && acc.imat.every(Number.isFinite);
      if (finite && Math.abs(1 - best / newLoglik) <= eps) {
        finalLoglik = newLoglik;
        beta = newBeta;
        converged = true;
        break;
      }
      if (!finite || newLoglik < best) {
        halving++;
        for (let i = 0; i < p; i++) newBeta[i] = (newBeta[i] + halving * beta[i]) / (halving + 1);
      } else {
        halving = 0;
        best = newLoglik;
        const s = ldlSolve(factor, Float64Array.from(acc.u));
        beta = Float64Array.from(newBeta);
        for (let i = 0; i < p; i++) newBeta[i] += s[i];
      }
    }
    if (!converged) {
      iterations = maxIter;
      finalLoglik = coxLoglik(data, beta, tieHandler, acc, penalty);
      factor = ldlDecompose(acc.imat, p, tolerChol);
      warnings.push(`Ran out of iterations (${maxIter}) and did not converge`);
    }
  }
  const varScaled = ldlInverse(factor);

  // Back to the original scale.
  const coef = Array.from(beta, (b, i) => b * data.scale[i]);
  const variance: number[][] = [];
  for (let i = 0; i < p; i++) {
    variance.push([]);
    for (let j = 0; j < p; j++) variance[i].push(varScaled[i * p + j] * data.scale[i] * data.scale[j]);
  }
  const u = Array.from(acc.u, (v, i) => v / data.scale[i]);

  // Monotone likelihood: the score times the variance is still large relative to beta when the
  // likelihood has flattened (R's "Loglik converged before variable ...; coefficient may be infinite").
  if (converged) {
    const infinite: string[] = [];
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += u[j] * variance[j][i];
      const inf = Math.abs(s);
      if (inf > eps && inf > tolerInf * Math.abs(coef[i])) infinite.push(names[i]);
    }
    if (infinite.length > 0) {
      warnings.push(`Loglik converged before variable ${infinite.map((v) => `"${v}"`).join(', ')}; coefficient may be infinite (monotone likelihood)`);
    }
  }

  let penaltyValue = 0;
  if (penalty) for (let i = 0; i < p; i++) penaltyValue += 0.5 * ridge * ridgeSd[i] * ridgeSd[i] * coef[i] * coef[i];
  const loglik = finalLoglik + penaltyValue;

  // R's default: robust variance when the case weights are not all integers.
  let robust = input.robust;
  if (robust === undefined) {
    robust = false;
    for (let i = 0; i < n && !robust; i++) if (weight[i] !== Math.floor(weight[i])) robust = true;
  }
  const naiveVar = variance;
  const finalVar = robust ? robustVariance(data, beta, ties, variance) : variance;
  const se = finalVar.map((row, i) => Math.sqrt(row[i]));
  const z = coef.map((b, i) => b / se[i]);
  const lr = 2 * (loglik - loglik0);
  let wald = 0;
  {
    const f = ldlDecompose(Float64Array.from(finalVar.flat()), p, tolerChol);
    const sol = ldlSolve(f, Float64Array.from(coef));
    for (let i = 0; i < p; i++) wald += coef[i] * sol[i];
  }

  const baselines = coxBaselinePerStratum(data, beta, ties, levels.length);
  const linearPredictor = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let eta = offset ? offset[r] : 0;
    for (let j = 0; j < p; j++) eta += coef[j] * cols[j][r];
    linearPredictor[r] = eta;
  }
  const Z975 = normalQuantile(0.975);
  const fit: CoxFit = {
    names,
    n,
    nevent,
    ties,
    coef,
    se,
    hr: coef.map(Math.exp),
    hrCi95: coef.map((b, i) => [Math.exp(b - Z975 * se[i]), Math.exp(b + Z975 * se[i])]),
    z,
    p: z.map(normalTwoSidedP),
    var: finalVar,
    naiveVar,
    robust,
    loglik,
    loglik0,
    penalty: penaltyValue,
    lrTest: { statistic: lr, df: p, p: chiSquareUpper(lr, p) },
    scoreTest: { statistic: scoreStat, df: p, p: chiSquareUpper(scoreStat, p) },
    waldTest: { statistic: wald, df: p, p: chiSquareUpper(wald, p) },
    iterations,
    converged,
    warnings,
    means: Array.from(data.means),
    linearPredictor,
    baseline: baselines[0],
    strataLevels: levels,
    baselineByStratum: baselines,
    survival(t: number, x: ArrayLike<number>, stratum?: string): number {
      if (x.length !== p) throw new InputError(`survival(): expected ${p} covariate values, got ${x.length}`);
      let curve = baselines[0];
      if (levels.length > 1) {
        const k = stratum === undefined ? -1 : levels.indexOf(stratum);
        if (k < 0) throw new InputError(`survival(): a stratified model needs one of the strata ${levels.join(', ')}`);
        curve = baselines[k];
      }
      let eta = 0;
      for (let j = 0; j < p; j++) eta += coef[j] * x[j];
      return Math.exp(-cumhazAt(curve, t) * Math.exp(eta));
    },
  };
  if (input.concordance !== false) {
    const c = concordance(time, event, linearPredictor, { weights: weight, strata: input.strata === undefined ? undefined : codes, timefix: false });
    fit.concordance = { c: c.c, se: c.se };
  }
  return fit;
}

/** Sample standard deviation (n - 1), as R's sqrt(var(x)). */
function sampleSd(x: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - mean) ** 2;
  return Math.sqrt(ss / (x.length - 1));
}
