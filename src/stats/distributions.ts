/**
 * Distribution functions used for p-values and intervals. They come from stdlib's per-function
 * packages (well tested against R/Boost and kept up), not from hand-rolled approximations. Upper
 * tails are computed directly (regularised upper incomplete gamma, symmetric lower tails) so that tiny
 * p-values keep their precision instead of rounding 1 - cdf to 0.
 */
import { createRequire } from 'node:module';

// Loaded on first use: each stdlib function pulls in dozens of small modules (~0.4 s of CPU for all
// of them), which code that only needs, say, the C-index should not pay for at start-up.
const load = createRequire(import.meta.url);
type NormalCdf = typeof import('@stdlib/stats-base-dists-normal-cdf');
type NormalQuantile = typeof import('@stdlib/stats-base-dists-normal-quantile');
type TCdf = typeof import('@stdlib/stats-base-dists-t-cdf');
type TQuantile = typeof import('@stdlib/stats-base-dists-t-quantile');
type Gammainc = typeof import('@stdlib/math-base-special-gammainc');
type HypergeometricPmf = typeof import('@stdlib/stats-base-dists-hypergeometric-pmf');
type Betainc = typeof import('@stdlib/math-base-special-betainc');
const cache: Partial<{ normalCdf: NormalCdf; normalQuantile: NormalQuantile; tCdf: TCdf; tQuantile: TQuantile; gammainc: Gammainc; hyper: HypergeometricPmf; betainc: Betainc }> = {};
const normalCdfImpl: NormalCdf = ((x: number, mu: number, sigma: number) =>
  (cache.normalCdf ??= load('@stdlib/stats-base-dists-normal-cdf') as NormalCdf)(x, mu, sigma)) as NormalCdf;
const normalQuantileImpl: NormalQuantile = ((p: number, mu: number, sigma: number) =>
  (cache.normalQuantile ??= load('@stdlib/stats-base-dists-normal-quantile') as NormalQuantile)(p, mu, sigma)) as NormalQuantile;
const tCdfImpl: TCdf = ((x: number, v: number) => (cache.tCdf ??= load('@stdlib/stats-base-dists-t-cdf') as TCdf)(x, v)) as TCdf;
const tQuantileImpl: TQuantile = ((p: number, v: number) => (cache.tQuantile ??= load('@stdlib/stats-base-dists-t-quantile') as TQuantile)(p, v)) as TQuantile;
const gammainc = (x: number, a: number, regularized: boolean, upper: boolean): number =>
  (cache.gammainc ??= load('@stdlib/math-base-special-gammainc') as Gammainc)(x, a, regularized, upper);
const betainc = (x: number, a: number, b: number, regularized: boolean, upper: boolean): number =>
  (cache.betainc ??= load('@stdlib/math-base-special-betainc') as Betainc)(x, a, b, regularized, upper);
const hypergeometricPmfImpl = (k: number, N: number, K: number, n: number): number =>
  (cache.hyper ??= load('@stdlib/stats-base-dists-hypergeometric-pmf') as HypergeometricPmf)(k, N, K, n);

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

/** P(F > f) for an F distribution with (df1, df2) degrees of freedom (pf(f, df1, df2, lower = FALSE)). */
export function fUpper(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f) || !(df1 > 0) || !(df2 > 0)) return NaN;
  if (f <= 0) return 1;
  // P(F > f) = I_{df2 / (df2 + df1 f)}(df2 / 2, df1 / 2), the regularised incomplete beta.
  return betainc(df2 / (df2 + df1 * f), df2 / 2, df1 / 2, true, false);
}

/**
 * Hypergeometric probability mass: drawing `draws` items from a population of `population` with
 * `successes` successes, P(X = k) (R's dhyper(k, successes, population - successes, draws)).
 */
export function hypergeometricPmf(k: number, population: number, successes: number, draws: number): number {
  return hypergeometricPmfImpl(k, population, successes, draws);
}
