// The clinical fallback (network.ts, train.ts): the rival Cox model is the Cox fit of the training
// rows (checked against R's coxph, Efron ties); the network in its fallback state (Cox fit in the
// clinical term, head output at zero) scores exactly the Cox linear predictor whatever the pictures
// (hand-worked: z . beta); and the extra term changes nothing in training: a fresh network with it
// scores exactly as the same-seeded network without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensorCount, manualSeed, noGrad, rand, scope, tensor } from '../../../src/torch/index.js';
import { Random } from '../../../src/util/random.js';
import { clinicalCoxCoefficients } from '../../../src/models/image/clinical-cox.js';
import { ImageSurvNetwork } from '../../../src/models/image/network.js';
import { DEFAULT_IMAGE_CONFIG, type ImageModelConfig } from '../../../src/models/image/config.js';
import { rscript } from '../../survival/rscript.js';

const TINY: ImageModelConfig = { ...DEFAULT_IMAGE_CONFIG, inputSize: 32, encoder: { arch: 'resnet18', width: 4 } };

test("the fallback's Cox model is R's coxph on the training rows; a column constant there gets 0", () => {
  const rng = new Random(11);
  const n = 160, p = 3;
  const x = new Float64Array(n * p);
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i * p] = rng.normal();
    x[i * p + 1] = 0.25; // constant (sex in the women subgroup, standardised)
    x[i * p + 2] = rng.uniform() < 0.4 ? 1 : -0.5;
    const lp = 0.8 * x[i * p] - 0.6 * x[i * p + 2];
    time[i] = Math.round(-Math.log(rng.uniform()) / Math.exp(lp) * 20) / 10 + 0.1; // rounded: tied times
    event[i] = rng.uniform() < 0.7 ? 1 : 0;
  }
  const rows = Int32Array.from({ length: 120 }, (_, k) => k + 20); // the training part: rows 20..139
  const beta = clinicalCoxCoefficients(x, p, time, event, rows, 'efron');
  const pick = (f: (i: number) => number) => Array.from(rows, f).join(',');
  const r = rscript(
    'v <- function(k) as.numeric(strsplit(args[k], ",")[[1]]); ' +
      'fit <- coxph(Surv(v(1), v(2)) ~ v(3) + v(4), ties = "efron"); emit(unname(coef(fit)))',
    [pick((i) => time[i]), pick((i) => event[i]), pick((i) => x[i * p]), pick((i) => x[i * p + 2])],
  ) as number[];
  assert.equal(beta[1], 0);
  assert.ok(Math.abs(beta[0] - r[0]) < 1e-6, `x1: ${beta[0]} vs R ${r[0]}`);
  assert.ok(Math.abs(beta[2] - r[1]) < 1e-6, `x3: ${beta[2]} vs R ${r[1]}`);
});

test('the fallback state is the Cox model (risk = z . beta for any pictures); a fresh network with the clinical term scores as one without it', () => {
  const before = liveTensorCount();
  manualSeed(5);
  const net = new ImageSurvNetwork(TINY, 5, 3);
  manualSeed(5);
  const plain = new ImageSurvNetwork({ ...TINY, clinicalFallback: false }, 5, 3);
  assert.equal(plain.clinicalTerm, null);
  assert.ok(!plain.stateDict().has('clinical.weight'));
  net.eval();
  plain.eval();
  const z = [[0.5, -1, 2], [-1.5, 0.2, 0], [0, 0, 0], [2, 1, -1]];
  const zt = () => tensor(Float32Array.from(z.flat()), [4, 3]);
  manualSeed(6);
  const pictures = rand([4, 5, 32, 32]);
  const [a, b] = noGrad(() => scope(() => [net.risk(pictures, zt()).toFloat64Array(), plain.risk(pictures, zt()).toFloat64Array()]));
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `row ${i}: ${v} vs ${b[i]}`));
  assert.ok(new Set(Array.from(a, (v) => v.toFixed(4))).size > 1, 'the fresh head gives different risks to different rows');
  pictures.dispose();

  const beta = [0.7, -0.3, 1.2];
  net.setClinicalCoefficients(beta);
  noGrad(() => net.headOutput().weight.fill_(0));
  const expected = z.map((row) => row.reduce((acc, v, j) => acc + v * beta[j], 0));
  for (let draw = 0; draw < 2; draw++) {
    const risk = noGrad(() => scope(() => net.risk(rand([4, 5, 32, 32]), zt()).toFloat64Array()));
    risk.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `row ${i}: ${v} vs ${expected[i]}`));
  }
  net.dispose();
  plain.dispose();
  assert.equal(liveTensorCount(), before);
});
