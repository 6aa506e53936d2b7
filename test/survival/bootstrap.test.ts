import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCi, quantileSorted, take } from '../../src/survival/index.js';
import { Random } from '../../src/util/random.js';

test('percentile bootstrap of a mean matches the known normal-theory interval', () => {
  // n = 400 draws from N(10, 2^2): the sampling SD of the mean is 2 / sqrt(400) = 0.1, so the 95%
  // percentile interval should be about mean +- 0.196 (not +- 0.196 / sqrt(B) as a t-interval
  // around the replicates' mean would give).
  const r = new Random(11);
  const x = Float64Array.from({ length: 400 }, () => r.normal(10, 2));
  const mean = (rows: Int32Array) => take(x, rows).reduce((a, b) => a + b, 0) / rows.length;
  const b = bootstrapCi(x.length, mean, { B: 2000, random: 5 });
  let sampleSd = 0;
  const m = b.estimate;
  for (const v of x) sampleSd += (v - m) * (v - m);
  sampleSd = Math.sqrt(sampleSd / (x.length - 1));
  const halfWidth = (1.959964 * sampleSd) / Math.sqrt(x.length);
  assert.ok(Math.abs(b.upper - b.lower - 2 * halfWidth) / (2 * halfWidth) < 0.08, `width ${b.upper - b.lower} vs ${2 * halfWidth}`);
  assert.ok(Math.abs((b.lower + b.upper) / 2 - m) < 0.03);
  assert.ok(Math.abs(b.se - sampleSd / Math.sqrt(x.length)) / (sampleSd / Math.sqrt(x.length)) < 0.08);
  // Seeded: same seed, same interval; another seed, a different one.
  assert.deepEqual(bootstrapCi(x.length, mean, { B: 200, random: 5 }).replicates, bootstrapCi(x.length, mean, { B: 200, random: 5 }).replicates);
  assert.notDeepEqual(bootstrapCi(x.length, mean, { B: 200, random: 5 }).replicates, bootstrapCi(x.length, mean, { B: 200, random: 6 }).replicates);
});

test('quantiles are R type 7; NaN replicates are dropped and counted; bad options rejected', () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([1, 2, 3, 4, 5], 0.025), 1.1);
  let k = 0;
  const b = bootstrapCi(10, () => (k++ % 2 === 0 ? NaN : 1), { B: 10 });
  assert.equal(b.failed + b.replicates.length, 10);
  assert.throws(() => bootstrapCi(10, () => 1, { B: 1 }), /B must be/);
  assert.throws(() => bootstrapCi(10, () => 1, { level: 1.5 }), /level/);
});

test('grouped (stratified) resampling keeps each group\'s size', () => {
  const groups = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
  const seen: number[][] = [];
  bootstrapCi(
    groups.length,
    (rows) => {
      seen.push(Array.from(rows));
      return 0;
    },
    { B: 20, random: 9, groups },
  );
  for (const rows of seen.slice(1)) {
    const count = [0, 0, 0];
    for (const r of rows) count[groups[r]]++;
    assert.deepEqual(count, [3, 2, 5]);
  }
});
