import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTensorCount } from '../../src/torch/index.js';
import { Random } from '../../src/util/random.js';
import { simulateDeepSurvData } from '../../src/models/simulate.js';
import { fitDeepSurv } from '../../src/models/deepsurv/fit.js';
import { loadDeepSurvModel, saveDeepSurvModel } from '../../src/models/deepsurv/folder.js';
import { searchDeepSurv } from '../../src/models/deepsurv/search.js';
import { covariateColumns } from '../../src/models/survival-data.js';
import { coxph, harrellC } from '../../src/survival/index.js';
import type { DeepSurvConfig } from '../../src/models/deepsurv/config.js';
import { coxReferences, fixtureData } from './fixtures.js';

const covariates = Array.from({ length: 10 }, (_, j) => `x${j}`);
const small: Partial<DeepSurvConfig> = { layers: 2, width: 16, epochs: 60, learningRate: 5e-3, lrDecay: 0, patience: 30, dropout: 0.1, batchSize: 128 };

test('DeepSurv learns a non-linear risk that a Cox model cannot', () => {
  const train = simulateDeepSurvData({ n: 1500, kind: 'gaussian', rng: new Random(1), lambdaMax: 10 });
  const testSet = simulateDeepSurvData({ n: 600, kind: 'gaussian', rng: new Random(2), lambdaMax: 10 });
  const before = liveTensorCount();
  const model = fitDeepSurv(train, { covariates, config: { ...small, epochs: 120, layers: 2, width: 32, dropout: 0 }, seed: 3 });
  const deepC = harrellC(testSet.time, testSet.event, model.predictRisk(testSet.x, testSet.n)).c;
  model.dispose();
  assert.ok(liveTensorCount() <= before, `leaked ${liveTensorCount() - before} tensors`);
  const cox = coxph({ time: train.time, event: train.event, covariates: covariateColumns(train), concordance: false });
  const coxRisk = Float64Array.from({ length: testSet.n }, (_, i) => cox.coef.reduce((s, b, j) => s + b * testSet.x[i * 10 + j], 0));
  const coxC = harrellC(testSet.time, testSet.event, coxRisk).c;
  const oracle = harrellC(testSet.time, testSet.event, testSet.trueRisk).c;
  assert.ok(coxC < 0.56, `Cox C ${coxC}`);
  assert.ok(deepC > 0.6 && deepC > coxC + 0.05, `DeepSurv C ${deepC} vs Cox ${coxC} (oracle ${oracle})`);
});

test('the same seed gives the same model bit for bit; a saved model predicts as the fitted one', async () => {
  const data = simulateDeepSurvData({ n: 400, kind: 'linear', rng: new Random(7) });
  const dir = mkdtempSync(join(tmpdir(), 'deepsurv-'));
  try {
    const config = { ...small, epochs: 20, batchNorm: true, activation: 'relu' as const };
    const fits = [1, 1, 2].map((seed) => fitDeepSurv(data, { covariates, config, seed }));
    for (const [k, m] of fits.entries()) await saveDeepSurvModel(join(dir, `m${k}`), m);
    const bytes = [0, 1, 2].map((k) => readFileSync(join(dir, `m${k}`, 'weights.safetensors')));
    assert.ok(bytes[0].equals(bytes[1]), 'two fits with seed 1 differ');
    assert.ok(!bytes[0].equals(bytes[2]), 'seeds 1 and 2 gave the same weights');
    const json = JSON.parse(readFileSync(join(dir, 'm0', 'model.json'), 'utf8'));
    assert.equal(json.kind, 'deepsurv');
    assert.equal(json.standardization.mean.length, 10);
    assert.ok(json.baseline.time.length > 10);
    assert.ok(Array.isArray(JSON.parse(readFileSync(join(dir, 'm0', 'training-log.json'), 'utf8'))));
    const loaded = loadDeepSurvModel(join(dir, 'm0'));
    const a = fits[0].predictRisk(data.x, data.n);
    const b = loaded.predictRisk(data.x, data.n);
    assert.deepEqual(Array.from(b), Array.from(a));
    assert.deepEqual(loaded.baseline, fits[0].baseline);
    loaded.dispose();
    for (const m of fits) m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SGD with Nesterov momentum and learning-rate decay trains too (full batch, no validation split)', () => {
  const data = simulateDeepSurvData({ n: 500, kind: 'linear', rng: new Random(21) });
  const model = fitDeepSurv(data, { covariates, seed: 4, config: { optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, lrDecay: 0.01, epochs: 60, batchSize: 0, validationFraction: 0, layers: 1, width: 8, dropout: 0 } });
  const log = model.training!.log;
  assert.equal(log.length, 60);
  assert.ok(log[59].trainLoss < log[0].trainLoss - 0.05, `loss ${log[0].trainLoss} -> ${log[59].trainLoss}`);
  assert.ok(Math.abs(log[59].lr - 0.05 / (1 + 0.01 * 59)) < 1e-12);
  const c = harrellC(data.time, data.event, model.predictRisk(data.x, data.n)).c;
  model.dispose();
  assert.ok(c > 0.75, `C ${c}`);
});

test('random search with k-fold CV is seeded and picks the best mean C', () => {
  const data = simulateDeepSurvData({ n: 300, kind: 'linear', rng: new Random(9) });
  const run = () => searchDeepSurv(data, { covariates, trials: 2, folds: 2, seed: 5, base: { epochs: 30, patience: 10, batchSize: 64 } });
  const a = run();
  const b = run();
  assert.equal(a.trials.length, 2);
  assert.deepEqual(a.trials.map((t) => t.foldC), b.trials.map((t) => t.foldC));
  assert.equal(a.best.meanC, Math.max(...a.trials.map((t) => t.meanC)));
  for (const t of a.trials) for (const c of t.foldC) assert.ok(c > 0.5 && c < 1);
});

test('with no hidden layer DeepSurv is a Cox model: it reaches R\'s partial likelihood on lung', () => {
  const ref = coxReferences().find((r) => r.data === 'lung.csv' && r.ties === 'efron')!;
  const d = fixtureData('lung.csv', 'time', 'status', ref.covariates);
  const model = fitDeepSurv(d, {
    covariates: ref.covariates,
    seed: 1,
    config: { layers: 0, l2: 0, dropout: 0, validationFraction: 0, epochs: 300, learningRate: 0.05, lrDecay: 0 },
  });
  const finalLoss = model.training!.log.at(-1)!.trainLoss;
  // Per-event mean loss vs R's maximised log-likelihood (a float32 network, so not to 1e-9).
  assert.ok(Math.abs(finalLoss * ref.nevent + ref.loglik) < 1e-3, `loss ${finalLoss * ref.nevent} vs ${-ref.loglik}`);
  // The weights, mapped back from standardised covariates, are R's coefficients.
  const w = model.network.stateDict().get('0.weight')!.toFloat64Array();
  ref.coef.forEach((b, j) => assert.ok(Math.abs(w[j] / model.standardization.sd[j] - b) < 1e-4 * Math.max(0.1, Math.abs(b)), `coef ${j}: ${w[j] / model.standardization.sd[j]} vs ${b}`));
  model.dispose();
});

test('default DeepSurv on 1,500 rows x 7 covariates fits in well under 30 s', () => {
  const data = simulateDeepSurvData({ n: 1500, kind: 'gaussian', rng: new Random(30), features: 7, lambdaMax: 10 });
  const t0 = performance.now();
  const model = fitDeepSurv(data, { covariates: covariates.slice(0, 7), seed: 1 });
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  assert.ok(seconds < 30, `${seconds} s`);
});
