// Op results against values computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, arange, cat, full, ones, stack, tensor, where, zeros, type Tensor } from '../../src/torch/index.js';

function close(t: Tensor, expected: number[], tol = 1e-5): void {
  const got = t.toArray();
  assert.equal(got.length, expected.length, `length ${got.length} != ${expected.length}`);
  got.forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) <= tol, `[${i}] ${v} != ${expected[i]}`));
}

test('creation, shapes, dtypes and conversion', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(a.shape, [2, 3]);
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(Array.from(a.toFloat32Array()), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(tensor(new Int32Array([1, 2])).dtype, 'int64');
  assert.deepEqual(Array.from(tensor(new BigInt64Array([5n, -7n])).toInt64Array()), [5n, -7n]);
  assert.equal(tensor(new Float64Array([0.1])).toFloat64Array()[0], 0.1);
  assert.equal(tensor([0, 2, 0], undefined, { dtype: 'bool' }).dtype, 'bool');
  assert.deepEqual(Array.from(tensor(new Uint8Array([3, 0]), [2], { dtype: 'bool' }).toUint8Array()), [1, 0]);
  assert.deepEqual(arange(4).toArray(), [0, 1, 2, 3]);
  assert.equal(arange(4).dtype, 'int64');
  assert.deepEqual(full([2], 7).toArray(), [7, 7]);
  assert.equal(tensor([2.5]).item(), 2.5);
  assert.deepEqual(tensor([1, 2, 3, 4], [2, 2]).shape, [2, 2]);
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /3 elements but shape \[2, 2\] needs 4/);
  assert.equal(zeros([2, 3]).device, 'cpu');
});

test('arithmetic with broadcasting and numbers', () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([10, 20]);
  close(a.add(b), [11, 22, 13, 24]);
  close(a.sub(1), [0, 1, 2, 3]);
  close(a.rsub(1), [0, -1, -2, -3]);
  close(a.mul(b), [10, 40, 30, 80]);
  close(a.div(2), [0.5, 1, 1.5, 2]);
  close(a.pow(2), [1, 4, 9, 16]);
  close(a.neg(), [-1, -2, -3, -4]);
  close(a.matmul(a), [7, 10, 15, 22]);
  close(tensor([1, 0]).exp(), [Math.E, 1]);
  close(tensor([1, Math.E]).log(), [0, 1]);
  close(tensor([4, 9]).sqrt(), [2, 3]);
  close(tensor([-1.5, 2]).abs(), [1.5, 2]);
  close(tensor([-2, 0.5, 3]).clamp(-1, 1), [-1, 0.5, 1]);
  close(tensor([-2, 0.5, 3]).clamp(0), [0, 0.5, 3]);
  close(tensor([0]).sigmoid(), [0.5]);
  close(tensor([-1, 2]).relu(), [0, 2]);
  close(tensor([-1, 2]).leakyRelu(0.1), [-0.1, 2]);
  close(tensor([-1, 1]).selu(), [1.0507009873554805 * 1.6732632423543772 * (Math.exp(-1) - 1), 1.0507009873554805]);
  close(tensor([0, 1]).tanh(), [0, Math.tanh(1)]);
  close(tensor([1]).gelu(), [0.8413447460685429]); // x * Phi(x)
  const l = tensor([1, 2, 3]);
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  close(l.softmax(0), [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z]);
  close(l.logSoftmax(0), [1 - Math.log(z), 2 - Math.log(z), 3 - Math.log(z)]);
  assert.equal(arange(3).add(1).dtype, 'int64');
});

test('reductions', () => {
  const a = tensor([[1, 5, 3], [4, 2, 6]]);
  assert.equal(a.sum().item(), 21);
  close(a.sum(0), [5, 7, 9]);
  close(a.sum(1, true), [9, 12]);
  assert.deepEqual(a.sum(1, true).shape, [2, 1]);
  close(a.sum([0, 1]), [21]);
  close(a.mean(1), [3, 4]);
  assert.equal(a.max().item(), 6);
  close(a.max(1), [5, 6]);
  close(a.min(0), [1, 2, 3]);
  close(a.argmax(1), [1, 2]);
  close(a.std(1), [2, 2]);
  close(a.logsumexp(1), [Math.log(Math.exp(1) + Math.exp(5) + Math.exp(3)), Math.log(Math.exp(4) + Math.exp(2) + Math.exp(6))]);
});

test('comparisons and where', () => {
  const a = tensor([1, 2, 3]);
  assert.equal(a.lt(2).dtype, 'bool');
  close(a.lt(2), [1, 0, 0]);
  close(a.le(2), [1, 1, 0]);
  close(a.gt(tensor([0, 2, 4])), [1, 0, 0]);
  close(a.ge(2), [0, 1, 1]);
  close(a.eq(2), [0, 1, 0]);
  close(where(a.gt(1), a, 0), [0, 2, 3]);
  close(where(a.gt(1), 1, tensor([9, 9, 9])), [9, 1, 1]);
});

test('shape ops, indexing, cat/stack', () => {
  const a = arange(6).reshape([2, 3]);
  assert.deepEqual(a.shape, [2, 3]);
  close(a.transpose(0, 1), [0, 3, 1, 4, 2, 5]);
  close(a.permute([1, 0]), [0, 3, 1, 4, 2, 5]);
  close(a.view([3, 2]), [0, 1, 2, 3, 4, 5]);
  close(a.slice(1, 1), [1, 2, 4, 5]);
  close(a.slice(1, 0, 3, 2), [0, 2, 3, 5]);
  close(a.indexSelect(1, tensor(new Int32Array([2, 0]))), [2, 0, 5, 3]);
  close(a.gather(1, tensor(new BigInt64Array([1n, 1n, 0n, 2n]), [2, 2])), [1, 1, 3, 5]);
  assert.deepEqual(a.unsqueeze(0).shape, [1, 2, 3]);
  assert.deepEqual(a.unsqueeze(0).squeeze().shape, [2, 3]);
  assert.deepEqual(a.reshape([1, 2, 3]).flatten().shape, [6]);
  assert.deepEqual(cat([a, a], 0).shape, [4, 3]);
  assert.deepEqual(stack([a, a], 0).shape, [2, 2, 3]);
  close(cat([tensor([1]), tensor([2, 3])]), [1, 2, 3]);
  assert.equal(a.to('float64').dtype, 'float64');
  assert.equal(a.float().dtype, 'float32');
  assert.equal(a.double().dtype, 'float64');
});

test('sort, argsort, cumsum, logcumsumexp', () => {
  const a = tensor([3, 1, 2, 1]);
  const s = a.sort(0);
  close(s.values, [1, 1, 2, 3]);
  close(s.indices, [1, 3, 2, 0]); // stable: equal values keep their order
  close(a.argsort(0, true), [0, 2, 1, 3]);
  close(a.cumsum(0), [3, 4, 6, 7]);
  const e = tensor([0, 1, 2], undefined, { dtype: 'float64' });
  close(e.logcumsumexp(0), [0, Math.log(1 + Math.E), Math.log(1 + Math.E + Math.E ** 2)], 1e-12);
  // stable for large values, where exp overflows
  close(tensor([1000, 1000], undefined, { dtype: 'float64' }).logcumsumexp(0), [1000, 1000 + Math.log(2)], 1e-9);
});

test('conv2d, pooling, normalisation', () => {
  const x = arange(16, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
  const w = ones([1, 1, 2, 2]);
  // 2x2 box sums with stride 2
  close(F.conv2d(x, w, null, { stride: 2 }), [0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15]);
  close(F.conv2d(x, w, tensor([1]), { stride: 2 }), [11, 19, 43, 51]);
  assert.deepEqual(F.conv2d(x, w, null, { padding: 1 }).shape, [1, 1, 5, 5]);
  assert.deepEqual(F.conv2d(x, ones([2, 1, 3, 3]), null, { dilation: 2, padding: 2 }).shape, [1, 2, 4, 4]);
  assert.deepEqual(F.conv2d(ones([1, 4, 5, 5]), ones([4, 2, 3, 3]), null, { groups: 2 }).shape, [1, 4, 3, 3]);
  close(F.convTranspose2d(tensor([1, 2], [1, 1, 1, 2]), ones([1, 1, 2, 2]), null, { stride: 2 }), [1, 1, 2, 2, 1, 1, 2, 2]);
  close(F.maxPool2d(x, 2), [5, 7, 13, 15]);
  close(F.avgPool2d(x, 2), [2.5, 4.5, 10.5, 12.5]);
  close(F.adaptiveAvgPool2d(x, 1), [7.5]);
  const bn = F.batchNorm(tensor([1, 3], [2, 1]), null, null, { training: true, eps: 0 });
  close(bn, [-1, 1]);
  close(F.layerNorm(tensor([1, 3], [1, 2]), [2], null, null, 0), [-1, 1]);
  close(F.groupNorm(tensor([1, 3, 5, 7], [1, 2, 2]), 2, null, null, 0), [-1, 1, -1, 1]);
  close(F.dropout(ones([4]), 0.5, false), [1, 1, 1, 1]);
  const d = F.dropout(ones([1000]), 0.5, true).toArray();
  assert.ok(d.every((v) => v === 0 || v === 2));
});

test('interpolate, affine_grid, grid_sample', () => {
  const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
  close(F.interpolate(x, { scaleFactor: 2, mode: 'nearest' }), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  close(F.interpolate(x, { size: [3, 3], mode: 'bilinear', alignCorners: true }), [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
  // the identity transform samples the image back exactly (alignCorners: pixel centres at the corners)
  const theta = tensor([1, 0, 0, 0, 1, 0], [1, 2, 3]);
  const grid = F.affineGrid(theta, [1, 1, 2, 2], true);
  close(grid, [-1, -1, 1, -1, -1, 1, 1, 1]);
  close(F.gridSample(x, grid, { alignCorners: true }), [1, 2, 3, 4]);
  // a shift by one pixel (2 units in [-1, 1] over 1 pixel step) with border padding
  const shift = tensor([1, 0, 2, 0, 1, 0], [1, 2, 3]);
  close(F.gridSample(x, F.affineGrid(shift, [1, 1, 2, 2], true), { alignCorners: true, paddingMode: 'border' }), [2, 2, 4, 4]);
});

test('losses', () => {
  const p = tensor([1, 2, 3]);
  const t = tensor([1, 1, 1]);
  close(F.mseLoss(p, t), [(0 + 1 + 4) / 3]);
  close(F.mseLoss(p, t, 'sum'), [5]);
  const logits = tensor([0, 2]);
  const y = tensor([0, 1]);
  const bce = (Math.log(2) + Math.log(1 + Math.exp(-2))) / 2;
  close(F.bceWithLogits(logits, y), [bce]);
  close(F.binaryCrossEntropy(logits.sigmoid(), y), [bce]);
  const ce = F.crossEntropy(tensor([[1, 2, 3]]), tensor(new BigInt64Array([2n])));
  close(ce, [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3]);
});
