/**
 * Efron's handling of tied death times: with d deaths at a time the likelihood has d terms, and in
 * term k (k = 0..d-1) the tied deaths count in the denominator with weight 1 - k/d; each term carries
 * the deaths' mean case weight. The terms are added in the order k = d-1..0 so that the running sums
 * grow by 1/d of the deaths each step. With one death it is Breslow.
 */
import type { CoxAccumulator, RiskSet } from './risk-set.js';
import { breslowDeaths } from './breslow.js';

export function efronDeaths(s: RiskSet, acc: CoxAccumulator): void {
  const d = s.ndead;
  if (d === 1) {
    breslowDeaths(s, acc);
    return;
  }
  const p = s.p;
  const { a, a2, cmat, cmat2 } = s;
  const { u, imat } = acc;
  const meanWeight = s.deadwt / d;
  const denomStep = s.denom2 / d;
  for (let k = 0; k < d; k++) {
    s.denom += denomStep;
    const denom = s.denom;
    acc.loglik -= meanWeight * Math.log(denom);
    for (let i = 0; i < p; i++) {
      a[i] += a2[i] / d;
      const mean = a[i] / denom;
      u[i] -= meanWeight * mean;
      for (let j = 0; j <= i; j++) {
        cmat[i * p + j] += cmat2[i * p + j] / d;
        imat[i * p + j] += (meanWeight * (cmat[i * p + j] - mean * a[j])) / denom;
      }
    }
  }
}
