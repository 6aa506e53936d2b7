import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/util/random.js';
import { complement, eventAwareBatches, stratifiedFolds, stratifiedSplit } from '../../src/models/splits.js';

const event = Uint8Array.from({ length: 103 }, (_, i) => (i % 7 === 0 ? 1 : 0)); // 15 events in 103 rows

test('event-aware batches cover every row once and give every batch events', () => {
  const batches = eventAwareBatches(event, 16, new Random(3));
  assert.equal(batches.length, 7);
  const seen = batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: 103 }, (_, i) => i));
  for (const b of batches) {
    assert.ok(Array.from(b).some((i) => event[i] === 1), 'a batch without events');
    assert.ok(b.length >= 14 && b.length <= 15);
  }
  assert.deepEqual(eventAwareBatches(event, 16, new Random(3)), batches, 'same seed, same batches');
  assert.notDeepEqual(eventAwareBatches(event, 16, new Random(4)), batches);
  assert.equal(eventAwareBatches(event, 0, new Random(3)).length, 1);
});

test('k folds partition the rows with events spread evenly', () => {
  const folds = stratifiedFolds(event, 5, new Random(9));
  const all = folds.flatMap((f) => Array.from(f)).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 103 }, (_, i) => i));
  for (const f of folds) assert.equal(Array.from(f).filter((i) => event[i]).length, 3);
  const rest = complement(103, folds[0]);
  assert.equal(rest.length + folds[0].length, 103);
  assert.ok(Array.from(rest).every((i) => !folds[0].includes(i)));
});

test('a stratified split keeps the event fraction in both parts and the row order', () => {
  const { first, second } = stratifiedSplit(event, 0.2, new Random(1));
  assert.equal(first.length + second.length, 103);
  assert.equal(Array.from(second).filter((i) => event[i]).length, 3);
  assert.deepEqual(Array.from(first), Array.from(first).sort((a, b) => a - b));
});
