/**
 * The study's bootstrap CI of the C-index, checked against a case whose true C is known in closed
 * form: a binary marker X ~ Bernoulli(1/2), exponential event times with hazard ratio HR for X = 1 and
 * no censoring. Two patients with different X order correctly with probability HR / (1 + HR); with
 * equal X the pair is tied on the score and counts one half. So C = 1/4 + (1/2) HR / (1 + HR).
 * Over many simulated cohorts the 95% intervals must cover it about 95% of the time; the t-interval
 * around the bootstrap mean that the original DeepSurv code used covers it almost never.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapConcordance } from '../../src/study/evaluate.js';
import { harrellC, quantileSorted, take, unoC } from '../../src/survival/index.js';
import { Random } from '../../src/util/random.js';

const HR = Math.E;
const TRUE_C = 0.25 + (0.5 * HR) / (1 + HR);

function simulate(n: number, rng: Random) {
  const score = new Float64Array(n);
  const time = new Float64Array(n);
  const event = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    score[i] = rng.bernoulli(0.5) ? 1 : 0;
    time[i] = rng.exponential(score[i] === 1 ? HR : 1);
  }
  return { score, time, event };
}

test('the closed-form C of the simulation is what a large sample gives', () => {
  const { score, time, event } = simulate(40000, new Random(3));
  assert.ok(Math.abs(harrellC(time, event, score).c - TRUE_C) < 0.005);
});

test('95% percentile bootstrap CIs of the C-index cover the true C about 95% of the time', (t) => {
  const rng = new Random(2024);
  const datasets = 100;
  let covered = 0;
  let widthSum = 0;
  const estimates: number[] = [];
  for (let k = 0; k < datasets; k++) {
    const data = simulate(150, rng);
    const [lo, hi] = bootstrapConcordance(data, data.score, 'harrell', 250, rng.fork());
    const c = harrellC(data.time, data.event, data.score).c;
    assert.ok(lo <= c && c <= hi, 'the interval holds its own estimate');
    estimates.push(c);
    if (lo <= TRUE_C && TRUE_C <= hi) covered++;
    widthSum += hi - lo;
  }
  const coverage = covered / datasets;
  // Binomial SD of the coverage at 100 datasets is 0.022; allow about 3 SD either side.
  assert.ok(coverage >= 0.88 && coverage <= 0.995, `coverage ${coverage}`);
  // The width matches 2 * 1.96 * the sampling SD of C across the simulated cohorts (not SD / sqrt(B)).
  const mean = estimates.reduce((a, b) => a + b, 0) / datasets;
  const sd = Math.sqrt(estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / (datasets - 1));
  const ratio = widthSum / datasets / (2 * 1.96 * sd);
  assert.ok(ratio > 0.8 && ratio < 1.25, `mean width / (3.92 SD) = ${ratio}`);
  t.diagnostic(`coverage ${coverage}, mean width / (3.92 SD of C) ${ratio.toFixed(3)}`);
});

test('the same seed gives the same interval; another seed a slightly different one', () => {
  const data = simulate(100, new Random(5));
  const a = bootstrapConcordance(data, data.score, 'harrell', 200, new Random(9));
  const b = bootstrapConcordance(data, data.score, 'harrell', 200, new Random(9));
  const c = bootstrapConcordance(data, data.score, 'harrell', 200, new Random(10));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("the bootstrap CIs are percentiles of the statistics module's Harrell's and Uno's C on the seeded resamples", () => {
  // Tied times and scores, censorings at event times, and events after tau: every rule of the pair
  // counting and of Uno's censoring weights comes into play.
  const rng = new Random(8);
  const n = 60;
  const time = Float64Array.from({ length: n }, () => Math.round(rng.exponential(0.4) * 4) / 4 + 0.25);
  const event = Uint8Array.from({ length: n }, () => (rng.bernoulli(0.35) ? 1 : 0));
  const score = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 3) / 3);
  const B = 40;
  const expected = (c: (t: Float64Array, e: Uint8Array, s: Float64Array) => number): [number, number] => {
    const draws = new Random(4);
    const values: number[] = [];
    for (let b = 0; b < B; b++) {
      const rows = draws.resample(n);
      const v = c(take(time, rows), take(event, rows), take(score, rows));
      if (!Number.isNaN(v)) values.push(v);
    }
    const sorted = Float64Array.from(values).sort();
    return [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
  };
  const set = { time, event };
  assert.deepEqual(bootstrapConcordance(set, score, 'harrell', B, new Random(4)), expected((t, e, s) => harrellC(t, e, s).c));
  const uno = bootstrapConcordance(set, score, 'uno', B, new Random(4), 2);
  assert.deepEqual(uno, expected((t, e, s) => unoC(t, e, s, { tau: 2 }).c));
  assert.notDeepEqual(uno, expected((t, e, s) => unoC(t, e, s).c), 'tau changes the interval');
});
