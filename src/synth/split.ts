/**
 * Train/test split like the study's (179 of 1,595 in the test set), stratified by outcome so that
 * the small test set's event count stays close to its share; seeded.
 */
import type { SplitParams } from './params.js';
import { streamRandom } from './streams.js';

export type SplitName = 'train' | 'test';

export function testSize(n: number, s: SplitParams): number {
  return Math.round((n * s.testNumerator) / s.testDenominator);
}

export function splitCohort(seed: number, events: ArrayLike<number>, s: SplitParams): SplitName[] {
  const n = events.length;
  const nTest = testSize(n, s);
  const rng = streamRandom(seed, 'split');
  const eventIdx: number[] = [];
  const otherIdx: number[] = [];
  for (let i = 0; i < n; i++) (events[i] === 1 ? eventIdx : otherIdx).push(i);
  rng.shuffle(eventIdx);
  rng.shuffle(otherIdx);
  const nTestEvents = Math.min(eventIdx.length, nTest, Math.round((eventIdx.length * nTest) / Math.max(1, n)));
  const nTestOther = Math.min(otherIdx.length, nTest - nTestEvents);
  const split: SplitName[] = new Array<SplitName>(n).fill('train');
  for (let k = 0; k < nTestEvents; k++) split[eventIdx[k]] = 'test';
  for (let k = 0; k < nTestOther; k++) split[otherIdx[k]] = 'test';
  return split;
}
