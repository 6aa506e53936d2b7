/**
 * The running sums over a Cox risk set, and over the deaths tied at the current time, that the
 * Efron and Breslow terms (efron.ts, breslow.ts) turn into log-likelihood, score and information.
 * Matrices are p x p row-major; only the lower triangle (j <= i) is maintained.
 */
export interface RiskSet {
  p: number;
  /** Sum of w*exp(eta) over the risk set, excluding the tied deaths not yet added. */
  denom: number;
  /** Sum of w*exp(eta)*x. */
  a: Float64Array;
  /** Sum of w*exp(eta)*x*x'. */
  cmat: Float64Array;
  /** The same three sums over the deaths at the current time. */
  denom2: number;
  a2: Float64Array;
  cmat2: Float64Array;
  /** Number of deaths and their total case weight at the current time. */
  ndead: number;
  deadwt: number;
}

export interface CoxAccumulator {
  loglik: number;
  /** Score vector. */
  u: Float64Array;
  /** Information matrix (lower triangle filled during the pass, symmetrised at the end). */
  imat: Float64Array;
}

export function newRiskSet(p: number): RiskSet {
  return {
    p,
    denom: 0,
    a: new Float64Array(p),
    cmat: new Float64Array(p * p),
    denom2: 0,
    a2: new Float64Array(p),
    cmat2: new Float64Array(p * p),
    ndead: 0,
    deadwt: 0,
  };
}

export function clearRiskSet(s: RiskSet): void {
  s.denom = 0;
  s.a.fill(0);
  s.cmat.fill(0);
  clearDeaths(s);
}

export function clearDeaths(s: RiskSet): void {
  s.denom2 = 0;
  s.a2.fill(0);
  s.cmat2.fill(0);
  s.ndead = 0;
  s.deadwt = 0;
}

/** How the deaths tied at one time enter the partial likelihood (Efron or Breslow). */
export type TieHandler = (s: RiskSet, acc: CoxAccumulator) => void;
