/**
 * Distribution functions used for p-values and intervals. They come from stdlib's per-function
 * packages (well tested against R/Boost and kept up), not from hand-rolled approximations. Upper
 * tails are computed directly (regularised upper incomplete gamma, symmetric lower tails) so that tiny
 * p-values keep their precision instead of rounding 1 - cdf to 0.
 */
import normalCdfImpl from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileImpl from '@stdlib/stats-base-dists-normal-quantile';
import tCdfImpl from '@stdlib/stats-base-dists-t-cdf';
import tQuantileImpl from '@stdlib/stats-base-dists-t-quantile';
import gammainc from '@stdlib/math-base-special-gammainc';
import hypergeometricPmfImpl from '@stdlib/stats-base-dists-hypergeometric-pmf';

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return normalCdfImpl(x, 0, 1);
}

/** Standard normal quantile (qnorm). */
export function normalQuantile(p: number): number {
  return normalQuantileImpl(p, 0, 1);
}

/** Two-sided p-value of a standard normal statistic: 2 * P(Z > |z|). */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 2 * normalCdfImpl(-Math.abs(z), 0, 1);
}

/** Student's t CDF with df degrees of freedom. */
export function tCdf(x: number, df: number): number {
  return tCdfImpl(x, df);
}

export function tQuantile(p: number, df: number): number {
  return tQuantileImpl(p, df);
}

/** Two-sided p-value of a t statistic. */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  return 2 * tCdfImpl(-Math.abs(t), df);
}

/** P(X > x) for a chi-square with df degrees of freedom (pchisq(x, df, lower.tail = FALSE)). */
export function chiSquareUpper(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/**
 * Hypergeometric probability mass: drawing `draws` items from a population of `population` with
 * `successes` successes, P(X = k) (R's dhyper(k, successes, population - successes, draws)).
 */
export function hypergeometricPmf(k: number, population: number, successes: number, draws: number): number {
  return hypergeometricPmfImpl(k, population, successes, draws);
}
