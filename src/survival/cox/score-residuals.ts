/**
 * Score residuals of a Cox fit (R's residuals(fit, type = "score"), coxscore2 with Efron or Breslow
 * ties), and from them the robust (sandwich) variance R reports for non-integer case weights:
 * var = sum_i (w_i U_i V)' (w_i U_i V). R loops over each risk set (O(n^2)); here the hazard
 * increments and hazard-weighted risk-set means are cumulated over time, which makes it O(n p).
 *
 * For subject k, U_k = [own death term] - r_k * sum over death times t <= t_k of
 * dH(t) (x_k - xbar(t)), with Efron's down-weighting of the tied deaths at their own time.
 */
import type { CoxData } from './prepare.js';

/** Residuals on the prepared (centred, scaled, sorted) covariates; rows in sorted order, p columns. */
export function scoreResiduals(data: CoxData, betaScaled: Float64Array, ties: 'efron' | 'breslow'): Float64Array[] {
  const { n, p, time, status, weight, offset, x, stratumEnd } = data;
  const score = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let eta = offset[k];
    for (let j = 0; j < p; j++) eta += betaScaled[j] * x[j][k];
    score[k] = Math.exp(eta);
  }
  const resid = Array.from({ length: p }, () => new Float64Array(n));
  // Per death time (group of tied rows), computed in a backward pass over the risk sets:
  //   hazSum = sum_dd hazard_dd, hazMean[j] = sum_dd hazard_dd * mean_dd[j] (for those at risk),
  //   and for the deaths themselves ownHaz[dd], ownMean[dd][j] with Efron's weights.
  const groupStart: number[] = [];
  const groupEnd: number[] = [];
  for (let k = 0; k < n; ) {
    let e = k;
    while (e + 1 < n && time[e + 1] === time[k] && !(stratumEnd[e] === 1)) e++;
    groupStart.push(k);
    groupEnd.push(e);
    k = e + 1;
  }
  const ng = groupStart.length;
  const hazSum = new Float64Array(ng);
  const hazMean = new Float64Array(ng * p);
  // Own-time terms for tied deaths: sum_dd (x - mean_dd)/d and sum_dd hazard_dd (1 - dd/d)(x - mean_dd)
  // need sum_dd mean_dd / d, sum_dd hazard_dd (1 - dd/d), and sum_dd hazard_dd (1 - dd/d) mean_dd.
  const ownMean = new Float64Array(ng * p);
  const ownHaz = new Float64Array(ng);
  const ownHazMean = new Float64Array(ng * p);
  let denom = 0;
  const a = new Float64Array(p);
  for (let g = ng - 1; g >= 0; g--) {
    const s = groupStart[g];
    const e = groupEnd[g];
    if (stratumEnd[e] === 1) {
      denom = 0;
      a.fill(0);
    }
    let deaths = 0;
    let meanwt = 0;
    let eDenom = 0;
    const a2 = new Float64Array(p);
    for (let k = s; k <= e; k++) {
      const risk = score[k] * weight[k];
      denom += risk;
      for (let j = 0; j < p; j++) a[j] += risk * x[j][k];
      if (status[k] === 1) {
        deaths++;
        meanwt += weight[k];
        eDenom += risk;
        for (let j = 0; j < p; j++) a2[j] += risk * x[j][k];
      }
    }
    if (deaths === 0) continue;
    if (deaths < 2 || ties === 'breslow') {
      const hazard = meanwt / denom;
      hazSum[g] = hazard;
      ownHaz[g] = hazard;
      for (let j = 0; j < p; j++) {
        const mean = a[j] / denom;
        hazMean[g * p + j] = hazard * mean;
        ownMean[g * p + j] = mean;
        ownHazMean[g * p + j] = hazard * mean;
      }
    } else {
      const mw = meanwt / deaths;
      for (let dd = 0; dd < deaths; dd++) {
        const down = dd / deaths;
        const d = denom - down * eDenom;
        const hazard = mw / d;
        hazSum[g] += hazard;
        ownHaz[g] += hazard * (1 - down);
        for (let j = 0; j < p; j++) {
          const mean = (a[j] - down * a2[j]) / d;
          hazMean[g * p + j] += hazard * mean;
          ownMean[g * p + j] += mean / deaths;
          ownHazMean[g * p + j] += hazard * (1 - down) * mean;
        }
      }
    }
  }
  // Forward pass: cumulate over earlier death times within the stratum.
  let cumH = 0;
  const cumHX = new Float64Array(p);
  for (let g = 0; g < ng; g++) {
    const s = groupStart[g];
    const e = groupEnd[g];
    if (s === 0 || stratumEnd[s - 1] === 1) {
      cumH = 0;
      cumHX.fill(0);
    }
    // Everyone at this time: earlier death times as at-risk; this time as at-risk (censored) or own.
    for (let k = s; k <= e; k++) {
      for (let j = 0; j < p; j++) {
        const xk = x[j][k];
        let r = -score[k] * (xk * cumH - cumHX[j]);
        if (status[k] === 1) r += xk - ownMean[g * p + j] - score[k] * (xk * ownHaz[g] - ownHazMean[g * p + j]);
        else r -= score[k] * (xk * hazSum[g] - hazMean[g * p + j]);
        resid[j][k] = r;
      }
    }
    cumH += hazSum[g];
    for (let j = 0; j < p; j++) cumHX[j] += hazMean[g * p + j];
  }
  return resid;
}

/**
 * Robust variance on the original scale: dfbeta_i = w_i U_i V with U_i the score residual (original
 * scale) and V the model-based variance; returns sum_i dfbeta_i' dfbeta_i.
 */
export function robustVariance(data: CoxData, betaScaled: Float64Array, ties: 'efron' | 'breslow', variance: number[][]): number[][] {
  const { n, p, weight, scale } = data;
  const resid = scoreResiduals(data, betaScaled, ties);
  const out = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const u = new Float64Array(p);
  const d = new Float64Array(p);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < p; j++) u[j] = (resid[j][k] / scale[j]) * weight[k]; // back to the original scale
    for (let c = 0; c < p; c++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += u[j] * variance[j][c];
      d[c] = s;
    }
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) out[r][c] += d[r] * d[c];
  }
  return out;
}
