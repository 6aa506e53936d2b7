import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countAtMost, countBelow } from '../../src/util/sorted-search.js';

test('countBelow / countAtMost count strictly-below and at-most values, ties included', () => {
  const sorted = Float64Array.of(1, 2, 2, 2, 5);
  assert.deepEqual([0, 1, 2, 3, 5, 6].map((v) => countBelow(sorted, v)), [0, 0, 1, 4, 4, 5]);
  assert.deepEqual([0, 1, 2, 3, 5, 6].map((v) => countAtMost(sorted, v)), [0, 1, 4, 4, 5, 5]);
  assert.equal(countBelow(new Float64Array(0), 1), 0);
});
