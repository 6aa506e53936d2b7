// nn layer: modules, optimizers' update rules, lr schedules, ResNet layout, and a small CNN that
// learns a toy image task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam, AdamW, BatchNorm2d, Conv2d, CosineAnnealingLR, ExponentialLR, Linear, ReLU, SGD, Sequential, StepLR, manualSeed, noGrad,
  resnet18, resnet34, tensor, zeros,
} from '../../src/torch/index.js';
import { runBarDemo } from '../../src/torch/demo.js';

test('Linear computes x W^T + b and Module collects named parameters and buffers', () => {
  const lin = new Linear(2, 1);
  lin.weight.copy_(tensor([[2, 3]]));
  lin.bias!.copy_(tensor([1]));
  assert.deepEqual(lin.forward(tensor([[1, 1], [0, 2]])).toArray(), [6, 7]);
  const net = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU());
  assert.deepEqual([...net.stateDict().keys()], [
    '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
  ]);
  assert.equal(net.parameters().length, 4);
  assert.equal(net.parameters().every((p) => p.requiresGrad), true);
  net.eval();
  assert.equal(net.modules[1]!.training, false);
});

test('BatchNorm2d updates running statistics in training and uses them in eval', () => {
  const bn = new BatchNorm2d(1);
  const x = tensor([1, 3, 5, 7], [4, 1, 1, 1]);
  bn.forward(x);
  assert.ok(Math.abs(bn.runningMean.item() - 0.4) < 1e-6); // 0.9 * 0 + 0.1 * 4
  assert.ok(Math.abs(bn.runningVar.item() - (0.9 + 0.1 * (20 / 3))) < 1e-5); // unbiased variance 20/3
  assert.equal(bn.numBatchesTracked.item(), 1);
  bn.eval();
  const y = bn.forward(tensor([0.4], [1, 1, 1, 1]));
  assert.ok(Math.abs(y.item()) < 1e-6);
});

test('SGD with Nesterov momentum and weight decay follows PyTorch update rule', () => {
  const p = tensor([1.0], undefined, { dtype: 'float64', requiresGrad: true });
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
  // loss = p^2 / 2: gradient p (+ weight decay 0.01 p)
  let value = 1;
  let buf: number | null = null;
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    p.mul(p).div(2).sum().backward();
    opt.step();
    const g = value + 0.01 * value;
    buf = buf === null ? g : 0.9 * buf + g;
    value -= 0.1 * (g + 0.9 * buf);
    assert.ok(Math.abs(p.item() - value) < 1e-12, `step ${i}: ${p.item()} vs ${value}`);
  }
});

test('Adam and AdamW: first step moves by lr against the gradient; AdamW decays decoupled', () => {
  const p = tensor([1.0, -2.0], undefined, { dtype: 'float64', requiresGrad: true });
  const adam = new Adam([p], { lr: 0.1 });
  p.mul(tensor([3.0, 5.0], undefined, { dtype: 'float64' })).sum().backward();
  adam.step();
  const v = p.toArray();
  assert.ok(Math.abs((v[0] as number) - 0.9) < 1e-6 && Math.abs((v[1] as number) + 2.1) < 1e-6, String(v));
  const q = tensor([2.0], undefined, { dtype: 'float64', requiresGrad: true });
  const adamw = new AdamW([q], { lr: 0.1, weightDecay: 0.5 });
  q.mul(1).sum().backward();
  adamw.step();
  assert.ok(Math.abs(q.item() - (2 * (1 - 0.1 * 0.5) - 0.1)) < 1e-6, String(q.item()));
  assert.equal(adamw.lr, 0.1);
  adamw.lr = 0.05;
  assert.equal(adamw.lr, 0.05);
});

test('learning-rate schedules', () => {
  const p = zeros([1], { requiresGrad: true });
  const opt = new SGD([p], { lr: 1 });
  const step = new StepLR(opt, 2, 0.5);
  const seen = [1, 2, 3, 4].map(() => (step.step(), opt.lr));
  assert.deepEqual(seen, [1, 0.5, 0.5, 0.25]);
  opt.lr = 1;
  assert.ok(Math.abs(new ExponentialLR(opt, 0.9).lrAt(2) - 0.81) < 1e-12);
  const cos = new CosineAnnealingLR(opt, 10, 0.1);
  assert.ok(Math.abs(cos.lrAt(5) - 0.55) < 1e-12);
  assert.ok(Math.abs(cos.lrAt(10) - 0.1) < 1e-12);
});

test('ResNet-18/34: torchvision layout, names and output shapes', () => {
  manualSeed(1);
  const r18 = resnet18({ inChannels: 1, width: 8, numClasses: 3 });
  const names = [...r18.stateDict().keys()];
  assert.equal(names[0], 'conv1.weight');
  assert.ok(names.includes('layer2.0.downsample.0.weight'));
  assert.ok(names.includes('layer4.1.bn2.running_var'));
  assert.equal(names[names.length - 1], 'fc.bias');
  assert.deepEqual(r18.conv1.weight.shape, [8, 1, 7, 7]);
  // 64-wide torchvision ResNet-18 with 1000 classes has 11,689,512 parameters (3 input channels)
  assert.equal(resnet18({ inChannels: 3 }).parameterCount(), 11_689_512);
  assert.equal(resnet34({ inChannels: 3 }).parameterCount(), 21_797_672);
  const out = noGrad(() => r18.eval().forward(zeros([2, 1, 64, 64])));
  assert.deepEqual(out.shape, [2, 3]);
  const features = resnet18({ inChannels: 2, width: 4, numClasses: 0 });
  assert.deepEqual(noGrad(() => features.forward(zeros([1, 2, 32, 32]))).shape, [1, 32]);
  // Kaiming normal (fan_out, relu): std = sqrt(2 / (8 * 49)) for conv1
  const big = resnet18({ inChannels: 1, width: 64, numClasses: 2 });
  const std = big.conv1.weight.std().item();
  assert.ok(Math.abs(std - Math.sqrt(2 / (64 * 49))) < 0.05 * Math.sqrt(2 / (64 * 49)), String(std));
});

test('a small CNN learns the bar-orientation task to >= 95% held-out accuracy', () => {
  const log = runBarDemo({ seed: 11, epochs: 6, trainSize: 256, testSize: 200 });
  const first = log[0]!;
  const last = log[log.length - 1]!;
  assert.ok(last.loss < first.loss / 2, `loss ${first.loss} -> ${last.loss}`);
  assert.ok(last.heldOutAccuracy >= 0.95, `held-out accuracy ${last.heldOutAccuracy}`);
});
