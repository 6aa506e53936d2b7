/**
 * Percentile bootstrap confidence intervals for any statistic of n rows: resample rows with
 * replacement B times (seeded, so repeatable), recompute the statistic, and take the alpha/2 and
 * 1 - alpha/2 quantiles of the replicates (R's quantile type 7). The interval is NOT a t-interval
 * around the replicates' mean: that would shrink it by about sqrt(B).
 * Replicates that give NaN (say, a resample without events) are dropped and counted.
 */
import { InputError } from '../util/errors.js';
import { Random } from '../util/random.js';

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  B?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** A seeded generator, or a seed (default seed 1). */
  random?: Random | number;
  /** Resample within these groups separately (e.g. strata), keeping their sizes. */
  groups?: ArrayLike<number>;
  /** Called after each replicate with the number done (for a progress display). */
  onProgress?: (done: number, total: number) => void;
}

export interface BootstrapResult {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  /** Standard deviation of the replicates. */
  se: number;
  B: number;
  /** Replicates that were NaN and dropped. */
  failed: number;
  replicates: Float64Array;
}

/** statistic(rows) gets the resampled row indices (length n); it is also called once on 0..n-1. */
export function bootstrapCi(n: number, statistic: (rows: Int32Array) => number, options: BootstrapOptions = {}): BootstrapResult {
  const B = options.B ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(B) || B < 2) throw new InputError(`bootstrap: B must be an integer >= 2, got ${B}`);
  if (!(level > 0 && level < 1)) throw new InputError(`bootstrap: level must be in (0, 1), got ${level}`);
  if (n < 1) throw new InputError('bootstrap: no rows');
  const random = options.random instanceof Random ? options.random : new Random(options.random ?? 1);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const estimate = statistic(all);
  const draw = options.groups ? groupedResampler(options.groups, n) : (r: Random) => r.resample(n);
  const values: number[] = [];
  let failed = 0;
  for (let b = 0; b < B; b++) {
    const v = statistic(draw(random));
    if (Number.isNaN(v)) failed++;
    else values.push(v);
    options.onProgress?.(b + 1, B);
  }
  const replicates = Float64Array.from(values).sort();
  const alpha = 1 - level;
  let mean = 0;
  for (const v of replicates) mean += v;
  mean /= replicates.length;
  let ss = 0;
  for (const v of replicates) ss += (v - mean) * (v - mean);
  return {
    estimate,
    lower: quantileSorted(replicates, alpha / 2),
    upper: quantileSorted(replicates, 1 - alpha / 2),
    level,
    se: Math.sqrt(ss / (replicates.length - 1)),
    B,
    failed,
    replicates,
  };
}

function groupedResampler(groups: ArrayLike<number>, n: number): (r: Random) => Int32Array {
  if (groups.length !== n) throw new InputError(`bootstrap: groups has ${groups.length} values, expected ${n}`);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  }
  const lists = [...members.values()];
  return (r: Random) => {
    const out = new Int32Array(n);
    let k = 0;
    for (const list of lists) for (let j = 0; j < list.length; j++) out[k++] = list[r.int(list.length)];
    return out;
  };
}

/** R's quantile(x, p, type = 7) of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Gathers values[rows[k]] into a new array (for statistics over resampled rows). */
export function take<T extends Float64Array | Uint8Array | Int32Array>(values: T, rows: Int32Array): T {
  const out = new (values.constructor as new (n: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]];
  return out;
}
