// Tensor lifetime: scope() frees what it does not return (also on throw), keep() escapes, dispose()
// frees at once, and a training loop holds a constant number of live tensors (no leak).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam, BatchNorm1d, Dropout, F, Linear, ReLU, Sequential, gcReclaimedCount, keep, liveTensorCount, manualSeed, randn, scope,
  tensor, type Tensor,
} from '../../src/torch/index.js';

test('scope frees everything except the returned tensors', () => {
  const before = liveTensorCount();
  const a = tensor([1, 2, 3]);
  const result = scope(() => {
    const b = a.mul(2);
    const c = b.add(1);
    c.exp();
    return { kept: c, list: [b.sum()] };
  });
  assert.equal(liveTensorCount(), before + 3); // a, kept, list[0]
  assert.deepEqual(result.kept.toArray(), [3, 5, 7]);
  assert.equal(result.list[0]!.item(), 12);
  assert.equal(a.disposed, false);
  a.dispose();
  result.kept.dispose();
  result.list[0]!.dispose();
  assert.equal(liveTensorCount(), before);
});

test('scope frees on throw, nests, and keep() escapes', () => {
  const before = liveTensorCount();
  assert.throws(() => scope(() => {
    tensor([1]).add(1);
    throw new Error('boom');
  }), /boom/);
  assert.equal(liveTensorCount(), before);

  let inner: Tensor | undefined;
  const outer = scope(() => {
    inner = scope(() => tensor([1]).add(1));
    assert.equal(inner.disposed, false); // moved to the outer scope
    return tensor([5]);
  });
  assert.equal(inner!.disposed, true); // freed by the outer scope, which did not return it
  assert.equal(outer.disposed, false);
  outer.dispose();

  const escaped = scope(() => keep(tensor([7])));
  assert.equal(escaped.disposed, false);
  escaped.dispose();
  assert.equal(liveTensorCount(), before);
});

test('dispose frees now; a disposed tensor cannot be used; dispose twice is harmless', () => {
  const before = liveTensorCount();
  const t = tensor([1, 2]);
  assert.equal(liveTensorCount(), before + 1);
  t.dispose();
  t.dispose();
  assert.equal(liveTensorCount(), before);
  assert.throws(() => t.add(1), /already disposed/);
});

test('live tensor count is the same after 1,000 training steps as after 10 (no leak)', () => {
  manualSeed(3);
  const model = new Sequential(new Linear(4, 8), new BatchNorm1d(8), new ReLU(), new Dropout(0.1), new Linear(8, 1));
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  const x = randn([16, 4]);
  const y = x.sum(1, true);
  const gcBefore = gcReclaimedCount();
  let lastLoss = 0;
  const stepOnce = (): number => scope(() => {
    optimizer.zeroGrad();
    const loss = F.mseLoss(model.forward(x), y);
    loss.backward();
    optimizer.step();
    void model.parameters()[0]!.grad; // reading a gradient makes a handle too
    return loss.item();
  });
  const firstLoss = stepOnce();
  for (let i = 1; i < 10; i++) stepOnce();
  const after10 = liveTensorCount();
  for (let i = 10; i < 1000; i++) lastLoss = stepOnce();
  assert.equal(liveTensorCount(), after10);
  assert.equal(gcReclaimedCount(), gcBefore, 'tensors were left to the garbage collector');
  assert.ok(lastLoss < firstLoss, `loss fell from ${firstLoss} to ${lastLoss}`);
  const before = liveTensorCount();
  model.dispose();
  optimizer.dispose();
  x.dispose();
  y.dispose();
  assert.equal(liveTensorCount(), before - model.parameters().length - model.namedBuffers().size - 2);
});
