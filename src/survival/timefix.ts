/**
 * survival::aeqSurv, which coxph, concordance and survfit apply by default (timefix = TRUE): times
 * that differ only by floating-point noise are made exactly equal, so that they count as ties.
 * Two neighbouring distinct times are merged when their gap is <= sqrt(machine eps) either absolutely
 * or relative to the mean absolute distinct time; each time becomes the first of its merged run.
 */
import { argsortNumbers, denseRanks, type DenseRanks } from './order.js';

const TOLERANCE = Math.sqrt(2.220446049250313e-16);

export function timefix(time: Float64Array): Float64Array {
  return timefixWithRanks(time).time;
}

/** timefix, also returning the dense ranks of the fixed times (callers that sort need them anyway). */
export function timefixWithRanks(time: Float64Array): { time: Float64Array; ranks: DenseRanks } {
  const order = argsortNumbers(time);
  const ranks = denseRanks(time, order);
  const { rank, unique } = ranks;
  const m = unique.length;
  if (m < 2) return { time, ranks };
  let meanAbs = 0;
  for (let k = 0; k < m; k++) meanAbs += Math.abs(unique[k]);
  meanAbs /= m;
  const merged = new Float64Array(m);
  merged[0] = unique[0];
  let any = false;
  for (let k = 1; k < m; k++) {
    const dy = unique[k] - unique[k - 1];
    const tied = dy <= TOLERANCE || dy / meanAbs <= TOLERANCE;
    merged[k] = tied ? merged[k - 1] : unique[k];
    if (tied) any = true;
  }
  if (!any) return { time, ranks };
  const out = new Float64Array(time.length);
  for (let i = 0; i < time.length; i++) out[i] = merged[rank[i]];
  // Merging keeps the order, so the same argsort gives the new ranks.
  return { time: out, ranks: denseRanks(out, order) };
}
