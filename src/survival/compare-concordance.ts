/**
 * Paired comparison of two risk scores' C-index on the same patients: the difference C1 - C2 with a
 * CI and p-value, (a) from the infinitesimal-jackknife contrast (the per-patient influences of the
 * two C's are subtracted, as survival::concordance(fit1, fit2) does for its variance matrix), and (b)
 * by the paired bootstrap (both scores on the same resampled patients; percentile CI, p-value from
 * the bootstrap SE with a normal reference).
 */
import { concordance, concordanceOfRows, type ConcordanceOptions } from './concordance.js';
import { bootstrapCi } from './bootstrap.js';
import { checkSurvival, checkFinite } from './validate.js';
import { normalQuantile, normalTwoSidedP } from '../stats/distributions.js';
import type { Random } from '../util/random.js';

export interface ConcordanceComparison {
  c1: number;
  c2: number;
  difference: number;
  jackknife: { se: number; ci95: [number, number]; z: number; p: number };
  bootstrap?: { se: number; ci95: [number, number]; p: number; B: number; failed: number };
}

export interface CompareOptions extends Omit<ConcordanceOptions, 'weights' | 'strata'> {
  /** Number of bootstrap resamples; 0 or absent skips the bootstrap. */
  B?: number;
  random?: Random | number;
  level?: number;
}

export function compareConcordance(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  score1: ArrayLike<number>,
  score2: ArrayLike<number>,
  options: CompareOptions = {},
): ConcordanceComparison {
  const surv = checkSurvival(time, event);
  const n = surv.time.length;
  const s1 = checkFinite(score1, n, 'score1');
  const s2 = checkFinite(score2, n, 'score2');
  const copts: ConcordanceOptions = { timewt: options.timewt, tau: options.tau, ymin: options.ymin };
  const a = concordance(surv.time, surv.event, s1, copts);
  const b = concordance(surv.time, surv.event, s2, copts);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = a.influence[i] - b.influence[i];
    v += d * d;
  }
  const level = options.level ?? 0.95;
  const zq = normalQuantile(1 - (1 - level) / 2);
  const diff = a.c - b.c;
  const se = Math.sqrt(v);
  const result: ConcordanceComparison = {
    c1: a.c,
    c2: b.c,
    difference: diff,
    jackknife: { se, ci95: [diff - zq * se, diff + zq * se], z: diff / se, p: normalTwoSidedP(diff / se) },
  };
  if (options.B !== undefined && options.B > 0) {
    const c1 = concordanceOfRows(surv.time, surv.event, s1, copts);
    const c2 = concordanceOfRows(surv.time, surv.event, s2, copts);
    const boot = bootstrapCi(n, (rows) => c1(rows) - c2(rows), { B: options.B, random: options.random, level });
    result.bootstrap = { se: boot.se, ci95: [boot.lower, boot.upper], p: normalTwoSidedP(diff / boot.se), B: boot.B, failed: boot.failed };
  }
  return result;
}
