// libtorch's errors reach JavaScript as Errors carrying libtorch's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, Linear, cat, loadSafetensors, ones, tensor, zeros } from '../../src/torch/index.js';

test('shape mismatches throw with libtorch message', () => {
  assert.throws(() => zeros([2, 3]).matmul(zeros([2, 3])), /mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
  assert.throws(() => zeros([2, 3]).add(zeros([4])), /size of tensor a \(3\) must match the size of tensor b \(4\)/);
  assert.throws(() => zeros([6]).view([4]), /shape '\[4\]' is invalid for input of size 6/);
  assert.throws(() => cat([zeros([2, 2]), zeros([2, 3])], 0), /Sizes of tensors must match/);
  assert.throws(() => F.conv2d(zeros([1, 2, 5, 5]), ones([4, 3, 3, 3])), /expected input\[1, 2, 5, 5\] to have 3 channels/);
  assert.throws(() => new Linear(3, 2).forward(zeros([4, 5])), /cannot be multiplied/);
});

test('errors are ordinary Errors and the process keeps working', () => {
  try {
    zeros([2]).indexSelect(0, tensor(new Int32Array([5])));
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof Error);
    assert.match((e as Error).message, /out of range|index/i);
  }
  assert.equal(ones([2]).sum().item(), 2);
});

test('bad arguments are reported, not crashes', () => {
  assert.throws(() => tensor([1, 2], undefined, { device: 'nonsense' }), /device/);
  // No machine has 10,000 GPUs: refused by a CPU-only libtorch and by a CUDA one alike.
  assert.throws(() => zeros([2]).to('cuda:9999'), /CUDA|cuda|device/);
  assert.throws(() => loadSafetensors('/nonexistent/x.safetensors'), /ENOENT/);
});
