// The savable AdamW (torch/savable-adamw.ts), the one Adam with saved state that the image model and
// the keypoint detector train with: against libtorch's own AdamW and Adam, against PyTorch's (python3-torch,
// fixtures/adam_reference.py) in both denominator orders, and stopped, saved, restored and continued
// bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Adam, AdamW, SavableAdamW, decodeSafetensors, encodeSafetensors, liveTensorCount, noGrad, scope, tensor, type AdamWOptions, type Tensor,
} from '../../src/torch/index.js';

const reference = fileURLToPath(new URL('../../../test/torch/fixtures/adam_reference.py', import.meta.url));

/** w = [1, -2, 0.5] and b = [0.3], the parameters of the objective below (and of adam_reference.py). */
function parameters(): Tensor[] {
  return [tensor([1, -2, 0.5], [3], { requiresGrad: true }), tensor([0.3], [1], { requiresGrad: true })];
}

/** Gradients of sum(w^2) (step + 1) + b sum(w) + exp(b) into the parameters. */
function backward(params: Tensor[], step: number): void {
  for (const p of params) p.zeroGrad_();
  scope(() => params[0].mul(params[0]).mul(step + 1).sum().add(params[1].mul(params[0].sum()).sum()).add(params[1].exp().sum()).backward());
}

function values(params: Tensor[]): number[][] {
  return noGrad(() => params.map((p) => Array.from(p.toFloat64Array())));
}

function assertClose(actual: number[][], expected: number[][], tolerance: number, what: string): void {
  actual.forEach((row, i) => row.forEach((v, k) => assert.ok(Math.abs(v - expected[i][k]) < tolerance, `${what}: param ${i}[${k}] ${v} vs ${expected[i][k]}`)));
}

test('SavableAdamW follows libtorch AdamW step for step (decay on the weight, none on the bias)', () => {
  const before = liveTensorCount();
  const mine = [tensor([1, -2, 0.5], [3], { requiresGrad: true }), tensor([0.3], [1], { requiresGrad: true })];
  const ref = [tensor([1, -2, 0.5], [3], { requiresGrad: true }), tensor([0.3], [1], { requiresGrad: true })];
  const opt = new SavableAdamW(mine, [true, false], { lr: 0.05, weightDecay: 0.1 });
  const refW = new AdamW([ref[0]], { lr: 0.05, weightDecay: 0.1 });
  const refB = new AdamW([ref[1]], { lr: 0.05, weightDecay: 0 });
  for (let step = 0; step < 6; step++) {
    for (const [params, update] of [[mine, () => opt.update()], [ref, () => { refW.step(); refB.step(); }]] as const) {
      for (const p of params) p.zeroGrad_();
      scope(() => params[0].mul(params[0]).mul(step + 1).sum().add(params[1].mul(params[0].sum()).sum()).add(params[1].exp().sum()).backward());
      update();
    }
  }
  noGrad(() => {
    for (let i = 0; i < 2; i++) {
      const a = mine[i].toFloat64Array(), b = ref[i].toFloat64Array();
      a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) < 1e-6, `param ${i}[${k}] ${v} vs ${b[k]}`));
    }
  });
  opt.dispose();
  refW.dispose();
  refB.dispose();
  for (const p of [...mine, ...ref]) p.dispose();
  assert.equal(liveTensorCount(), before);
});

test('SavableAdamW without decay, in PyTorch\'s denominator order, follows libtorch Adam step for step', () => {
  const before = liveTensorCount();
  const mine = parameters(), ref = parameters();
  const opt = new SavableAdamW(mine, [false, false], { lr: 0.05, denominator: 'sqrt(v) / sqrt(bc2)' });
  const refOpt = new Adam(ref, { lr: 0.05 });
  for (let step = 0; step < 6; step++) {
    backward(mine, step);
    opt.update();
    backward(ref, step);
    refOpt.step();
  }
  assertClose(values(mine), values(ref), 1e-6, 'Adam');
  opt.dispose();
  refOpt.dispose();
  for (const p of [...mine, ...ref]) p.dispose();
  assert.equal(liveTensorCount(), before);
});

test('SavableAdamW agrees with PyTorch\'s torch.optim.Adam and AdamW (python3-torch) in both denominator orders', () => {
  const run = spawnSync('/usr/bin/python3', [reference], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const torch = JSON.parse(run.stdout) as { adam: number[][]; adamw: number[][] };
  for (const denominator of ['sqrt(v / bc2)', 'sqrt(v) / sqrt(bc2)'] as const) {
    for (const [kind, weightDecay] of [['adam', 0], ['adamw', 0.1]] as const) {
      const params = parameters();
      const opt = new SavableAdamW(params, [true, false], { lr: 0.05, weightDecay, denominator });
      for (let step = 0; step < 6; step++) {
        backward(params, step);
        opt.update();
      }
      assertClose(values(params), torch[kind], 1e-6, `${kind}, ${denominator}`);
      opt.dispose();
      for (const p of params) p.dispose();
    }
  }
});

test('stopped after 3 steps, saved to safetensors bytes and restored into a fresh optimizer: the same bits as 6 steps in one go', () => {
  for (const options of [{ lr: 0.05, weightDecay: 0.1 }, { lr: 0.05, names: ['w', 'b'], denominator: 'sqrt(v) / sqrt(bc2)' }] satisfies AdamWOptions[]) {
    const whole = parameters();
    const wholeOpt = new SavableAdamW(whole, [true, false], options);
    for (let step = 0; step < 6; step++) {
      backward(whole, step);
      wholeOpt.update();
    }

    const first = parameters();
    const firstOpt = new SavableAdamW(first, [true, false], options);
    for (let step = 0; step < 3; step++) {
      backward(first, step);
      firstOpt.update();
    }
    const saved = encodeSafetensors(new Map([...firstOpt.state(), ['w', first[0]], ['b', first[1]]]), { step: String(firstOpt.step) });
    if (options.names !== undefined) assert.deepEqual([...firstOpt.state().keys()], ['m.w', 'm.b', 'v.w', 'v.b']);

    const { tensors, metadata } = decodeSafetensors(saved, 'checkpoint');
    const resumed = [tensors.get('w')!, tensors.get('b')!].map((t) => tensor(t.toFloat32Array(), [...t.shape], { requiresGrad: true }));
    const resumedOpt = new SavableAdamW(resumed, [true, false], options);
    resumedOpt.loadState(Number(metadata.step), tensors);
    for (let step = 3; step < 6; step++) {
      backward(resumed, step);
      resumedOpt.update();
    }
    assert.deepEqual(values(resumed), values(whole), JSON.stringify(options));

    const missing = new Map(tensors);
    missing.delete([...firstOpt.state().keys()][0]);
    assert.throws(() => resumedOpt.loadState(3, missing), /optimizer state m\.(0|w) is missing/);
    for (const t of [...tensors.values(), ...whole, ...first, ...resumed]) t.dispose();
    for (const o of [wholeOpt, firstOpt, resumedOpt]) o.dispose();
  }
});
