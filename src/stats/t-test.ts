/**
 * Two-sample t-tests as R's t.test(x, y): Student's (var.equal = TRUE, pooled variance) and Welch's
 * (Satterthwaite degrees of freedom), two-sided, with a confidence interval for mean(x) - mean(y).
 */
import { InputError } from '../util/errors.js';
import { tQuantile, tTwoSidedP } from './distributions.js';
import { mean, variance } from './descriptive.js';

export interface TTestResult {
  statistic: number;
  df: number;
  p: number;
  /** mean(x) - mean(y) */
  difference: number;
  ci: [number, number];
  method: 'student' | 'welch';
}

export function tTest(x: ArrayLike<number>, y: ArrayLike<number>, options: { varEqual?: boolean; level?: number } = {}): TTestResult {
  const nx = x.length;
  const ny = y.length;
  if (nx < 2 || ny < 2) throw new InputError(`t-test needs at least 2 values per group (got ${nx} and ${ny})`);
  const level = options.level ?? 0.95;
  const mx = mean(x);
  const my = mean(y);
  const vx = variance(x);
  const vy = variance(y);
  let se: number;
  let df: number;
  if (options.varEqual) {
    df = nx + ny - 2;
    const pooled = ((nx - 1) * vx + (ny - 1) * vy) / df;
    se = Math.sqrt(pooled * (1 / nx + 1 / ny));
  } else {
    const a = vx / nx;
    const b = vy / ny;
    se = Math.sqrt(a + b);
    df = ((a + b) * (a + b)) / ((a * a) / (nx - 1) + (b * b) / (ny - 1));
  }
  const difference = mx - my;
  const statistic = difference / se;
  const q = tQuantile(1 - (1 - level) / 2, df);
  return { statistic, df, p: tTwoSidedP(statistic, df), difference, ci: [difference - q * se, difference + q * se], method: options.varEqual ? 'student' : 'welch' };
}

export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): TTestResult {
  return tTest(x, y, { varEqual: false, level });
}

export function studentTTest(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): TTestResult {
  return tTest(x, y, { varEqual: true, level });
}
