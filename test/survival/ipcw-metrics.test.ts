import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brierScore, calibrationAtHorizon, coxph, integratedBrier, timeDependentAuc } from '../../src/survival/index.js';
import { readCsv } from '../../src/util/csv.js';
import { assertAllClose, assertClose, completeCases, fixture, honest, more, reference, type Json } from './fixtures.js';

function survivalMatrix(fit: ReturnType<typeof coxph>, cols: Float64Array[], times: number[]): Float64Array[] {
  const n = cols[0].length;
  return times.map((t) => Float64Array.from({ length: n }, (_, i) => fit.survival(t, cols.map((c) => c[i]))));
}

test('AUC(t) and Brier(t) of an Efron Cox model on lung agree with riskRegression::Score', () => {
  const covs = ['age', 'female', 'ph_ecog'];
  const d = completeCases('lung.csv', ['time', 'status', ...covs]);
  const time = d.numbers('time');
  const status = d.numbers('status');
  const X = covs.map((c) => d.numbers(c));
  const fit = coxph({ time, event: status, covariates: X });
  const ref = reference.score_lung;
  const S = survivalMatrix(fit, X, ref.times);
  assertAllClose(brierScore(time, status, S, ref.times), ref.brier, 1e-6, 'brier');
  assertAllClose(timeDependentAuc(time, status, fit.linearPredictor, ref.times), ref.auc, 1e-6, 'auc');
  // The per-time risk marker 1 - S(t|x) gives the same AUC (same order).
  assertAllClose(timeDependentAuc(time, status, S.map((s) => s.map((v) => 1 - v)), ref.times), ref.auc, 1e-6, 'auc from risks');
});

test('AUC(t) and Brier(t) of a Breslow Cox model on veteran agree with riskRegression::Score', () => {
  const r = more.score_veteran;
  const v = readCsv(fixture('veteran.csv'));
  const time = v.numbers('time');
  const status = v.numbers('status');
  const X = r.covariates.map((c: string) => v.numbers(c));
  const fit = coxph({ time, event: status, covariates: X, ties: 'breslow' });
  const S = survivalMatrix(fit, X, r.times);
  assertAllClose(brierScore(time, status, S, r.times), r.brier, 1e-6, 'brier');
  assertAllClose(timeDependentAuc(time, status, fit.linearPredictor, r.times), r.auc, 1e-6, 'auc');
});

test('integrated Brier score agrees with riskRegression (summary = "ibs"); calibration groups add up', () => {
  const r = more.ibs_lung;
  const d = completeCases('lung.csv', ['time', 'status', ...r.covariates]);
  const X = r.covariates.map((c: string) => d.numbers(c));
  const lungFit = coxph({ time: d.numbers('time'), event: d.numbers('status'), covariates: X });
  const b = brierScore(d.numbers('time'), d.numbers('status'), survivalMatrix(lungFit, X, r.times), r.times);
  assertAllClose(b, r.brier, 1e-6, 'brier grid');
  for (let k = 1; k < r.times.length; k++) {
    assertAllClose([integratedBrier(r.times.slice(0, k + 1), b.slice(0, k + 1))], [r.ibs[k]], 1e-6, `ibs at ${r.times[k]}`);
  }
  const v = readCsv(fixture('veteran.csv'));
  const time = v.numbers('time');
  const status = v.numbers('status');
  const karno = v.numbers('karno');
  const fit = coxph({ time, event: status, covariates: [karno] });
  const risk = Float64Array.from(karno, (k) => 1 - fit.survival(90, [k]));
  const cal = calibrationAtHorizon(time, status, risk, 90, 4);
  assert.equal(cal.groups.reduce((a, g) => a + g.n, 0), time.length);
  // The groups and the Greenwood-Nam-D'Agostino test as R computes them (survfit's KM and Greenwood SE).
  const gnd = honest.gnd_veteran_karno_90;
  assert.deepEqual(cal.groups.map((g) => [g.n, g.events]), gnd.groups.map((g: Json) => [g.n, g.events]));
  assertAllClose(cal.groups.map((g) => g.predicted), gnd.groups.map((g: Json) => g.predicted), 1e-6, 'mean predicted risk', true);
  assertAllClose(cal.groups.map((g) => g.observed), gnd.groups.map((g: Json) => g.observed), 1e-12, 'KM failure at 90 days');
  assertClose(cal.gnd.statistic, gnd.statistic, 1e-6, 'GND chi-square', true);
  assert.equal(cal.gnd.df, gnd.df);
  assertClose(cal.gnd.p, gnd.p, 1e-6, 'GND p', true);
  for (const g of cal.groups) {
    assert.ok(g.observedLower <= g.observed && g.observed <= g.observedUpper);
    assert.ok(Math.abs(g.predicted - g.observed) < 0.25, 'a fitted Cox model is roughly calibrated in-sample');
  }
  assert.ok(cal.groups[0].predicted < cal.groups[3].predicted);
});
