/**
 * Seeded, event-stratified ways to divide rows: a train/validation (or train/test) split, k folds, and
 * minibatches. Events and censored rows are dealt out separately so that every part gets its share of
 * events: a Cox loss on a part without events says nothing, and a C-index on it is undefined.
 */
import { Random } from '../util/random.js';

/** Row indices of events and of censored rows, each shuffled by `rng`. */
function shuffledByEvent(event: ArrayLike<number>, rng: Random): { events: number[]; censored: number[] } {
  const events: number[] = [];
  const censored: number[] = [];
  for (let i = 0; i < event.length; i++) (event[i] ? events : censored).push(i);
  rng.shuffle(events);
  rng.shuffle(censored);
  return { events, censored };
}

/**
 * The shuffled events, then the shuffled censored rows, dealt round-robin into `parts` lists
 * (continuing where the events stopped, so the lists' sizes and event counts differ by at most one).
 */
function dealByEvent(event: ArrayLike<number>, parts: number, rng: Random): number[][] {
  const { events, censored } = shuffledByEvent(event, rng);
  const dealt: number[][] = Array.from({ length: parts }, () => []);
  [...events, ...censored].forEach((row, j) => dealt[j % parts].push(row));
  return dealt;
}

/**
 * Splits rows into two parts with about `fraction` of the events and of the censored rows in the
 * second part. Both index lists come back sorted ascending (so the original row order is kept).
 */
export function stratifiedSplit(event: ArrayLike<number>, fraction: number, rng: Random): { first: Int32Array; second: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`split fraction must be in (0, 1), got ${fraction}`);
  const { events, censored } = shuffledByEvent(event, rng);
  const second: number[] = [];
  const first: number[] = [];
  for (const group of [events, censored]) {
    const k = Math.round(group.length * fraction);
    second.push(...group.slice(0, k));
    first.push(...group.slice(k));
  }
  return { first: Int32Array.from(first.sort((a, b) => a - b)), second: Int32Array.from(second.sort((a, b) => a - b)) };
}

/** k folds, each a sorted list of held-out row indices; events are spread evenly over the folds. */
export function stratifiedFolds(event: ArrayLike<number>, k: number, rng: Random): Int32Array[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer >= 2, got ${k}`);
  if (event.length < k) throw new RangeError(`cannot make ${k} folds from ${event.length} rows`);
  return dealByEvent(event, k, rng).map((f) => Int32Array.from(f.sort((a, b) => a - b)));
}

/** The rows 0..n-1 that are not in `held` (sorted). */
export function complement(n: number, held: ArrayLike<number>): Int32Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < held.length; i++) out[held[i]] = 1;
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (!out[i]) rest.push(i);
  return Int32Array.from(rest);
}

/**
 * Minibatches of about `batchSize` rows for one epoch, with the events dealt evenly over the batches so
 * that no batch lacks events when there are at least as many events as batches. `batchSize` >= n (or
 * 0) gives one full batch in a shuffled order.
 */
export function eventAwareBatches(event: ArrayLike<number>, batchSize: number, rng: Random): Int32Array[] {
  const n = event.length;
  const nBatches = batchSize <= 0 || batchSize >= n ? 1 : Math.ceil(n / batchSize);
  return dealByEvent(event, nBatches, rng).map((b) => Int32Array.from(b));
}
