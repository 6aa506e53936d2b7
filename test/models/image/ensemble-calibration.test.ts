// The fusion's calibration to the members' mean (src/models/image/ensemble-calibration.ts), on a
// simulated cohort where the truth is known: a shared image signal T, K members that each see T plus
// their own noise, and covariates correlated with T. The reference is not the calibration itself: it is
// the Cox model fitted directly on what the deployed network sees (the members' mean and z), which a
// real cohort cannot give (there, every training row is in the training set of K-1 members).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coxph } from '../../../src/survival/index.js';
import { Random } from '../../../src/util/random.js';
import { calibrateFusion, memberAgreement } from '../../../src/models/image/ensemble-calibration.js';

const K = 5;

function simulate(n: number, noiseSd: number, seed: number) {
  const rng = new Random(seed);
  const z1 = new Float64Array(n);
  const z2 = new Float64Array(n);
  const signal = new Float64Array(n);
  const scores = Array.from({ length: K }, () => new Float64Array(n));
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    z1[i] = rng.normal();
    z2[i] = rng.normal();
    signal[i] = 0.6 * z1[i] + 0.8 * rng.normal(); // Var 1, Cov with z1 0.6
    for (const s of scores) s[i] = signal[i] + noiseSd * rng.normal();
    const hazard = 0.1 * Math.exp(0.8 * signal[i] + 0.4 * z1[i] - 0.3 * z2[i]);
    const failure = rng.exponential(hazard);
    const censor = rng.uniform() * 12;
    time[i] = Math.min(failure, censor);
    event[i] = failure <= censor ? 1 : 0;
  }
  const held = Array.from({ length: K }, (_, m) => Int32Array.from({ length: Math.ceil((n - m) / K) }, (_, j) => m + j * K));
  const outOfFold = Float64Array.from({ length: n }, (_, i) => scores[i % K][i]);
  const mean = Float64Array.from({ length: n }, (_, i) => scores.reduce((a, s) => a + s[i], 0) / K);
  const z = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    z[i * 2] = z1[i];
    z[i * 2 + 1] = z2[i];
  }
  return { z1, z2, z, scores, held, outOfFold, mean, time, event };
}

test('the members agreement: one member carries signal + noise, the shared part is the signal, the mean of K a K-th of the noise', () => {
  const { scores, held, outOfFold } = simulate(20000, 1, 5);
  const a = memberAgreement(scores, held, outOfFold);
  assert.ok(Math.abs(a.singleVariance - 2) < 0.08, `single ${a.singleVariance} vs 2`);
  assert.ok(Math.abs(a.sharedVariance - 1) < 0.05, `shared ${a.sharedVariance} vs 1`);
  assert.ok(Math.abs(a.ensembleVariance - (1 + 1 / K)) < 0.06, `ensemble ${a.ensembleVariance} vs 1.2`);
});

test("the calibrated fusion is the Cox model of the members' mean, though it was fitted on one member's score", () => {
  const { z1, z2, z, scores, held, outOfFold, mean, time, event } = simulate(20000, 1, 11);
  const fitted = coxph({ time, event, covariates: [outOfFold, z1, z2], ties: 'breslow', concordance: false }).coef;
  const direct = coxph({ time, event, covariates: [mean, z1, z2], ties: 'breslow', concordance: false }).coef;
  const { coefficients, imageFactor } = calibrateFusion(fitted, outOfFold, z, 2, memberAgreement(scores, held, outOfFold));
  // The problem is real: fitted on one member's score, the image is under-weighted and z1 over-weighted.
  assert.ok(direct[0] - fitted[0] > 0.15, `fitted image ${fitted[0]} vs direct ${direct[0]}`);
  assert.ok(fitted[1] - direct[1] > 0.1, `fitted z1 ${fitted[1]} vs direct ${direct[1]}`);
  coefficients.forEach((b, j) => assert.ok(Math.abs(b - direct[j]) < 0.05, `coefficient ${j}: calibrated ${b} vs direct ${direct[j]} (fitted ${fitted[j]})`));
  // By hand: given z1, the signal's variance left is 1 - 0.6^2 = 0.64, so the score's reliability is
  // 0.64 / (0.64 + 1) for one member and 0.64 / (0.64 + 1/5) for the mean: a factor of 1.95.
  assert.ok(Math.abs(imageFactor - 1.64 / 0.84) < 0.1, `image factor ${imageFactor}`);
});

test('members that agree exactly leave the fusion as fitted; no shared signal leaves it too', () => {
  const { z, scores, held, outOfFold } = simulate(2000, 0, 3);
  const agreement = memberAgreement(scores, held, outOfFold);
  assert.ok(Math.abs(agreement.sharedVariance / agreement.singleVariance - 1) < 0.01, `identical members share their variance: ${JSON.stringify(agreement)}`);
  const v = agreement.singleVariance;
  const same = calibrateFusion([0.5, 0.2, -0.1], outOfFold, z, 2, { singleVariance: v, sharedVariance: v, ensembleVariance: v });
  same.coefficients.forEach((b, j) => assert.ok(Math.abs(b - [0.5, 0.2, -0.1][j]) < 1e-9, `${b}`));
  assert.ok(Math.abs(same.imageFactor - 1) < 1e-9);
  const rng = new Random(4);
  const noise = scores.map((s) => Float64Array.from(s, () => rng.normal()));
  const pooled = Float64Array.from({ length: outOfFold.length }, (_, i) => noise[i % K][i]);
  const none = calibrateFusion([0.05, 0.2, -0.1], pooled, z, 2, { singleVariance: 1, sharedVariance: 0, ensembleVariance: 0.2 });
  assert.deepEqual(none.coefficients, [0.05, 0.2, -0.1]);
  assert.equal(none.imageFactor, 1);
});
