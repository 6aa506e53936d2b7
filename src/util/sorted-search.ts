/** Binary searches in an ascending Float64Array (ROC placements, time-dependent AUC). */

/** How many values are strictly below v. */
export function countBelow(sorted: Float64Array, v: number): number {
  return firstIndexWhere(sorted, (x) => x >= v);
}

/** How many values are below or equal to v. */
export function countAtMost(sorted: Float64Array, v: number): number {
  return firstIndexWhere(sorted, (x) => x > v);
}

function firstIndexWhere(sorted: Float64Array, past: (x: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(sorted[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
