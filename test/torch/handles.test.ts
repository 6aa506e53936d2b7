// Tensor handles as numbers: what is refused, and what happens when a slot's generation counter is
// used up (the slot is retired, so an old handle can never name a newer tensor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { native } from '../../src/torch/native.js';
import { liveTensorCount, tensor } from '../../src/torch/index.js';

const slotOf = (handle: number) => handle % 2 ** 22;

test('handles are safe integers of at least 2^45; other numbers are refused by name', () => {
  const t = tensor([1, 2]);
  assert.ok(Number.isSafeInteger(t.handle) && t.handle >= 2 ** 45, `handle ${t.handle}`);
  for (const bad of [Number.NaN, Infinity, -Infinity, 0, 1, 3, -1, 0.5, t.handle + 0.5, 2 ** 53, 2 ** 53 - 1, -t.handle]) {
    assert.throws(() => native.isDisposed(bad), /expected a tensor, got the number/, `isDisposed(${bad})`);
    assert.throws(() => native.dispose(bad), /expected a tensor, got the number/, `dispose(${bad})`);
    assert.throws(() => native.sum(bad), /expected a tensor, got the number/, `sum(${bad})`);
  }
  assert.throws(() => native.sum('1'), /expected a tensor, got a string/);
  assert.throws(() => native.sum(undefined), /expected a tensor, got undefined/);
  t.dispose();
  assert.equal(native.isDisposed(t.handle), true);
  assert.throws(() => native.sum(t.handle), /already disposed/);
  native.dispose(t.handle); // a second dispose does nothing
});

test('a slot whose generations are used up is retired: its old handles stay disposed, new tensors go elsewhere', () => {
  const before = liveTensorCount();
  // Free slots to age: make and free a few tensors.
  const warm = Array.from({ length: 4 }, () => tensor([0]));
  for (const t of warm) t.dispose();
  native.testAgeFreeSlots(2); // each free slot may now be handed out twice more
  const a = tensor([1]);
  const slot = slotOf(a.handle);
  a.dispose();
  const b = tensor([2]); // the same slot (the free list is a stack), its last generation
  assert.equal(slotOf(b.handle), slot);
  assert.ok(b.handle > a.handle);
  b.dispose(); // retires the slot
  const later = Array.from({ length: 8 }, (_, i) => tensor([10 + i]));
  for (const t of later) assert.notEqual(slotOf(t.handle), slot, 'a retired slot was handed out again');
  for (const old of [a, b]) {
    assert.equal(native.isDisposed(old.handle), true);
    assert.throws(() => native.sum(old.handle), /already disposed/);
  }
  assert.deepEqual(later.map((t) => t.item()), [10, 11, 12, 13, 14, 15, 16, 17]);
  for (const t of later) t.dispose();
  assert.equal(liveTensorCount(), before);
  assert.throws(() => native.testAgeFreeSlots(0), /reuses/);
  assert.throws(() => native.testAgeFreeSlots(2 ** 23), /reuses/);
});
