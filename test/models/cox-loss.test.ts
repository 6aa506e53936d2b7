import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, scope, liveTensorCount } from '../../src/torch/index.js';
import { coxLoss, planCoxLoss, coxLossFromPlan } from '../../src/models/cox-loss.js';
import { coxph } from '../../src/survival/index.js';
import { Random } from '../../src/util/random.js';
import { coxReferences, fixtureData, timeColumns } from './fixtures.js';

/** Loss and its gradient for a linear model x . beta, in float64. */
function linearLoss(x: Float64Array, n: number, p: number, beta: number[], time: ArrayLike<number>, event: ArrayLike<number>, ties: 'efron' | 'breslow', strata?: ArrayLike<number>) {
  return scope(() => {
    const b = tensor(Float64Array.from(beta), [p, 1], { dtype: 'float64', requiresGrad: true });
    const eta = tensor(x, [n, p], { dtype: 'float64' }).matmul(b);
    const loss = coxLoss(eta, time, event, { ties, strata });
    loss.backward();
    return { value: loss.item(), grad: Array.from(b.grad!.toFloat64Array()) };
  });
}

for (const ref of coxReferences()) {
  test(`Cox loss at R's MLE equals minus R's log-likelihood and is stationary: ${ref.data}, ${ref.ties}`, () => {
    const cols = timeColumns(ref.data);
    const d = fixtureData(ref.data, cols.time, cols.event, ref.covariates);
    assert.equal(d.n, ref.n);
    const { value, grad } = linearLoss(d.x, d.n, d.p, ref.coef, d.time, d.event, ref.ties);
    assert.ok(Math.abs(value + ref.loglik) < 1e-8 * Math.abs(ref.loglik), `loss ${value} vs -loglik ${-ref.loglik}`);
    // At beta = 0 the loss is minus R's null log-likelihood.
    const null0 = linearLoss(d.x, d.n, d.p, ref.coef.map(() => 0), d.time, d.event, ref.ties);
    assert.ok(Math.abs(null0.value + ref.loglik0) < 1e-8 * Math.abs(ref.loglik0));
    // The score vanishes at the MLE: relative to the covariate scale, each gradient component is ~0.
    for (let j = 0; j < d.p; j++) {
      let sd = 0;
      for (let i = 0; i < d.n; i++) sd += d.x[i * d.p + j] ** 2 / d.n;
      assert.ok(Math.abs(grad[j]) / (Math.sqrt(sd) * ref.nevent) < 1e-6, `gradient[${j}] = ${grad[j]}`);
    }
  });
}

test('Cox loss equals the statistics module on heavily tied, stratified data (Efron and Breslow)', () => {
  const rng = new Random(11);
  const n = 300;
  const p = 3;
  const x = new Float64Array(n * p).map(() => rng.normal());
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  const strata = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const eta = 0.8 * x[i * p] - 0.5 * x[i * p + 1];
    time[i] = Math.ceil(4 * rng.exponential(Math.exp(eta))); // few distinct times: many ties
    event[i] = rng.bernoulli(0.7) ? 1 : 0;
    strata[i] = rng.int(3);
  }
  const cols = [0, 1, 2].map((j) => Float64Array.from({ length: n }, (_, i) => x[i * p + j]));
  for (const ties of ['efron', 'breslow'] as const) {
    for (const withStrata of [false, true]) {
      const fit = coxph({ time, event, covariates: cols, ties, strata: withStrata ? strata : undefined, concordance: false });
      const { value, grad } = linearLoss(x, n, p, fit.coef, time, event, ties, withStrata ? strata : undefined);
      assert.ok(Math.abs(value + fit.loglik) < 1e-9 * Math.abs(fit.loglik), `${ties} strata=${withStrata}: ${value} vs ${-fit.loglik}`);
      for (const g of grad) assert.ok(Math.abs(g) < 1e-4, `${ties} strata=${withStrata}: gradient ${g}`);
    }
  }
});

test('a batch without events gives zero loss and zero gradient, not NaN', () => {
  const before = liveTensorCount();
  scope(() => {
    const w = tensor([0.5, -1], [2, 1], { dtype: 'float32', requiresGrad: true });
    const x = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const loss = coxLoss(x.matmul(w), [1, 2, 3], [0, 0, 0], { reduction: 'mean' });
    assert.equal(loss.item(), 0);
    loss.backward();
    assert.deepEqual(Array.from(w.grad!.toFloat32Array()), [0, 0]);
  });
  assert.equal(liveTensorCount(), before);
});

test('the loss is finite for extreme scores, invariant to a shift, and the mean divides by the events', () => {
  const time = [5, 3, 3, 8, 1, 3, 9];
  const event = [1, 1, 1, 0, 1, 1, 0];
  const plan = planCoxLoss(time, event);
  scope(() => {
    const base = [0.3, -2, 1.5, 0.7, 4, -1, 2];
    const a = coxLossFromPlan(tensor(base.map((v) => v + 800)), plan).item();
    const b = coxLossFromPlan(tensor(base.map((v) => v - 800)), plan).item();
    const c = coxLossFromPlan(tensor(base), plan).item();
    for (const v of [a, b, c]) assert.ok(Number.isFinite(v));
    assert.ok(Math.abs(a - c) < 1e-3 && Math.abs(b - c) < 1e-3, `${a} ${b} ${c}`);
    const huge = coxLossFromPlan(tensor(base.map((v) => v * 1000)), plan).item();
    assert.ok(Number.isFinite(huge));
    const mean = coxLossFromPlan(tensor(base), plan, { reduction: 'mean' }).item();
    assert.ok(Math.abs(mean * 5 - c) < 1e-5);
  });
});

test('Efron and Breslow agree without ties and differ with them', () => {
  scope(() => {
    const risk = tensor([0.1, 0.4, -0.3, 0.9]);
    const e1 = coxLoss(risk, [1, 2, 3, 4], [1, 1, 1, 0], { ties: 'efron' }).item();
    const b1 = coxLoss(risk, [1, 2, 3, 4], [1, 1, 1, 0], { ties: 'breslow' }).item();
    assert.ok(Math.abs(e1 - b1) < 1e-12);
    const e2 = coxLoss(risk, [1, 1, 3, 4], [1, 1, 1, 0], { ties: 'efron' }).item();
    const b2 = coxLoss(risk, [1, 1, 3, 4], [1, 1, 1, 0], { ties: 'breslow' }).item();
    // Efron's denominators are smaller, so its loss is smaller.
    assert.ok(e2 < b2 - 1e-6);
  });
});
