/**
 * One pass over the sorted data: the Cox partial log-likelihood, score vector and information matrix
 * at a given beta (on the centred/scaled covariates of prepare.ts). Walks from the largest time down,
 * so the risk set only grows; all rows tied at a time enter together, censored rows straight into
 * the risk set and deaths through the tie handler.
 */
import type { CoxData } from './prepare.js';
import { clearDeaths, clearRiskSet, newRiskSet, type CoxAccumulator, type TieHandler } from './risk-set.js';

export function coxLoglik(data: CoxData, beta: Float64Array, ties: TieHandler, acc: CoxAccumulator, penalty?: Float64Array): number {
  const { n, p, time, status, weight, offset, x, stratumEnd } = data;
  const s = newRiskSet(p);
  const { a, cmat, a2, cmat2 } = s;
  const { u, imat } = acc;
  acc.loglik = 0;
  u.fill(0);
  imat.fill(0);
  const xrow = new Float64Array(p);
  for (let person = n - 1; person >= 0; ) {
    if (stratumEnd[person] === 1) clearRiskSet(s);
    const dtime = time[person];
    clearDeaths(s);
    while (person >= 0 && time[person] === dtime) {
      let eta = offset[person];
      for (let i = 0; i < p; i++) {
        xrow[i] = x[i][person];
        eta += beta[i] * xrow[i];
      }
      const w = weight[person];
      const risk = Math.exp(eta) * w;
      if (status[person] === 0) {
        s.denom += risk;
        for (let i = 0; i < p; i++) {
          const rx = risk * xrow[i];
          a[i] += rx;
          for (let j = 0; j <= i; j++) cmat[i * p + j] += rx * xrow[j];
        }
      } else {
        s.ndead++;
        s.deadwt += w;
        s.denom2 += risk;
        acc.loglik += w * eta;
        for (let i = 0; i < p; i++) {
          const rx = risk * xrow[i];
          u[i] += w * xrow[i];
          a2[i] += rx;
          for (let j = 0; j <= i; j++) cmat2[i * p + j] += rx * xrow[j];
        }
      }
      person--;
      if (person >= 0 && stratumEnd[person] === 1) break; // ties never cross strata
    }
    if (s.ndead > 0) ties(s, acc);
  }
  // Ridge: loglik - 0.5 * sum(theta_j * beta_j^2), with theta given on the scaled coordinates.
  if (penalty) {
    for (let i = 0; i < p; i++) {
      acc.loglik -= 0.5 * penalty[i] * beta[i] * beta[i];
      u[i] -= penalty[i] * beta[i];
      imat[i * p + i] += penalty[i];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) imat[j * p + i] = imat[i * p + j];
  return acc.loglik;
}
