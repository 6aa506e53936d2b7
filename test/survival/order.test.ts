import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsortNumbers, denseRanks, orderByKeys } from '../../src/survival/order.js';
import { Random } from '../../src/util/random.js';

function reference(values: number[]): number[] {
  return values.map((v, i) => [v, i] as const).sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] - b[0])).map((p) => p[1]);
}

test('argsortNumbers is a stable ascending argsort on both paths (comparison and radix)', () => {
  const r = new Random(5);
  for (const n of [0, 1, 7, 300, 512, 513, 5000]) {
    const values = Array.from({ length: n }, (_, i) => {
      const k = i % 6;
      if (k === 0) return r.normal() * 1e-300;
      if (k === 1) return -r.int(20);
      if (k === 2) return r.int(20);
      if (k === 3) return r.normal() * 1e12;
      if (k === 4) return i % 12 === 4 ? -0 : 0;
      return r.uniform();
    });
    assert.deepEqual(Array.from(argsortNumbers(values)), reference(values), `n = ${n}`);
  }
});

test('denseRanks and orderByKeys (R order(a, b) semantics)', () => {
  const v = [3, 1, 3, -2, 1];
  const d = denseRanks(v);
  assert.deepEqual(Array.from(d.rank), [2, 1, 2, 0, 1]);
  assert.deepEqual(Array.from(d.unique), [-2, 1, 3]);
  const a = [1, 0, 1, 0, 1];
  const b = [2, 1, 0, 0, 1];
  assert.deepEqual(Array.from(orderByKeys(5, [{ keys: a, size: 2 }, { keys: b, size: 3, descending: true }])), [1, 3, 0, 4, 2]);
});
