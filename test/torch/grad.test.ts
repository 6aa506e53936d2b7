// Gradients from libtorch's autograd against central finite differences, in float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, noGrad, scope, tensor, type Tensor } from '../../src/torch/index.js';
import { Random } from '../../src/util/random.js';

const rng = new Random(7);

function randomValues(n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

/** Checks d f(x) / dx for a scalar-valued f at a random point of the given shape. */
function checkGradient(name: string, shape: number[], f: (x: Tensor) => Tensor, lo = -1, hi = 1): void {
  scope(() => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = randomValues(n, lo, hi);
    const x = tensor(Float64Array.from(values), shape, { requiresGrad: true });
    f(x).backward();
    const analytic = x.grad!.toArray();
    const h = 1e-6;
    noGrad(() => {
      for (let i = 0; i < n; i++) {
        const plus = values.slice();
        const minus = values.slice();
        plus[i] = (plus[i] as number) + h;
        minus[i] = (minus[i] as number) - h;
        const fp = f(tensor(Float64Array.from(plus), shape)).item();
        const fm = f(tensor(Float64Array.from(minus), shape)).item();
        const numeric = (fp - fm) / (2 * h);
        const a = analytic[i] as number;
        assert.ok(Math.abs(a - numeric) <= 1e-6 * Math.max(1, Math.abs(numeric)), `${name}: d/dx[${i}] autograd ${a} vs finite difference ${numeric}`);
      }
    });
  });
}

const w = () => tensor(Float64Array.from([0.3, -1.2, 0.7, 2.1, -0.4, 0.9]), [2, 3]);

test('element-wise ops', () => {
  checkGradient('add/mul/sub/div', [2, 3], (x) => x.mul(w()).add(x.div(3)).sub(x.mul(x)).sum());
  checkGradient('pow', [2, 3], (x) => x.pow(3).sum());
  checkGradient('exp/log', [2, 3], (x) => x.exp().add(x.abs().add(0.5).log()).sum());
  checkGradient('sqrt', [4], (x) => x.sqrt().sum(), 0.5, 2);
  checkGradient('sigmoid/tanh', [2, 3], (x) => x.sigmoid().mul(x.tanh()).sum());
  checkGradient('selu/gelu/leakyRelu', [2, 3], (x) => x.selu().add(x.gelu()).add(x.leakyRelu(0.2)).mul(w()).sum());
  checkGradient('softmax/logSoftmax', [2, 3], (x) => x.softmax(1).mul(w()).sum().add(x.logSoftmax(0).mul(w()).sum()));
  checkGradient('clamp', [6], (x) => x.clamp(-0.5, 0.5).mul(x).sum());
});

test('reductions, matmul and Cox-style cumulative ops', () => {
  checkGradient('matmul', [3, 2], (x) => w().matmul(x).pow(2).sum());
  checkGradient('mean/max', [2, 3], (x) => x.mean(1).mul(x.max(1)).sum());
  checkGradient('logsumexp', [2, 3], (x) => x.logsumexp(1).sum());
  checkGradient('cumsum', [5], (x) => x.cumsum(0).pow(2).sum());
  checkGradient('logcumsumexp', [5], (x) => x.logcumsumexp(0).mul(tensor(Float64Array.from([1, 0, 2, 0, 1]))).sum());
  const idx = tensor(new Int32Array([2, 0, 1, 1]));
  checkGradient('indexSelect/gather', [3], (x) => x.indexSelect(0, idx).pow(2).sum().add(x.gather(0, idx).sum()));
  checkGradient('sort values', [5], (x) => x.sort(0, true).values.mul(tensor(Float64Array.from([5, 4, 3, 2, 1]))).sum());
});

test('nn functionals', () => {
  const k = tensor(Float64Array.from(randomValues(2 * 1 * 3 * 3)), [2, 1, 3, 3]);
  checkGradient('conv2d', [1, 1, 4, 4], (x) => F.conv2d(x, k, null, { padding: 1 }).pow(2).sum());
  checkGradient('maxPool2d/avgPool2d', [1, 1, 4, 4], (x) => F.maxPool2d(x, 2).sum().add(F.avgPool2d(x, 2).pow(2).sum()));
  const bnWeights = tensor(Float64Array.from(randomValues(8)), [4, 2]);
  checkGradient('batchNorm', [4, 2], (x) => F.batchNorm(x, null, null, { training: true }).mul(bnWeights).sum());
  checkGradient('interpolate', [1, 1, 2, 2], (x) => F.interpolate(x, { size: [3, 3], mode: 'bilinear' }).pow(2).sum());
  const img = tensor(Float64Array.from(randomValues(9)), [1, 1, 3, 3]);
  checkGradient('gridSample (wrt theta)', [1, 2, 3], (theta) => F.gridSample(img, F.affineGrid(theta, [1, 1, 3, 3], false)).pow(2).sum(), -0.5, 0.5);
  checkGradient('bceWithLogits', [4], (x) => F.bceWithLogits(x, tensor(Float64Array.from([0, 1, 1, 0]))));
  checkGradient('mseLoss', [4], (x) => F.mseLoss(x, tensor(Float64Array.from([0, 1, 1, 0]))));
});

test('detach, noGrad and requiresGrad', () => {
  const x = tensor([1, 2], undefined, { dtype: 'float64', requiresGrad: true });
  assert.equal(x.requiresGrad, true);
  assert.equal(x.detach().requiresGrad, false);
  assert.equal(noGrad(() => x.mul(2)).requiresGrad, false);
  assert.equal(x.mul(2).requiresGrad, true);
  assert.equal(x.grad, null);
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [2, 4]);
  x.mul(x).sum().backward(); // accumulates
  assert.deepEqual(x.grad!.toArray(), [4, 8]);
  x.zeroGrad_();
  assert.equal(x.grad, null);
  const y = tensor([3]).setRequiresGrad(true);
  assert.equal(y.requiresGrad, true);
});
