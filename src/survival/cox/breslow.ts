/**
 * Breslow's handling of tied death times: all d tied deaths share one risk-set denominator that
 * includes all of them.
 */
import type { CoxAccumulator, RiskSet } from './risk-set.js';

export function breslowDeaths(s: RiskSet, acc: CoxAccumulator): void {
  const p = s.p;
  const { a, a2, cmat, cmat2 } = s;
  const { u, imat } = acc;
  s.denom += s.denom2;
  const denom = s.denom;
  const wt = s.deadwt;
  acc.loglik -= wt * Math.log(denom);
  for (let i = 0; i < p; i++) {
    a[i] += a2[i];
    const mean = a[i] / denom;
    u[i] -= wt * mean;
    for (let j = 0; j <= i; j++) {
      cmat[i * p + j] += cmat2[i * p + j];
      imat[i * p + j] += (wt * (cmat[i * p + j] - mean * a[j])) / denom;
    }
  }
}
