// The Breslow baseline of a risk score (risk-score-baseline.ts) against the Cox fit's own baseline
// (cox/baseline.ts, which agrees with R's basehaz), and by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breslowBaseline, survivalAt } from '../../src/survival/risk-score-baseline.js';
import { coxph, cumhazAt } from '../../src/survival/index.js';
import { completeCases } from './fixtures.js';

test('Breslow baseline of a linear score equals the Cox fit\'s baseline (Breslow ties, veteran)', () => {
  const covs = ['trt', 'karno', 'age'];
  const d = completeCases('veteran.csv', ['time', 'status', ...covs]);
  const time = d.numbers('time'), event = d.numbers('status');
  const cols = covs.map((c) => d.numbers(c));
  const fit = coxph({ time, event, covariates: cols, ties: 'breslow', concordance: false });
  const risk = Float64Array.from({ length: time.length }, (_, i) => cols.reduce((s, c, j) => s + c[i] * fit.coef[j], 0));
  const base = breslowBaseline(risk, time, event);
  for (const t of [1, 7, 27, 95, 200, 500, 1000]) {
    const ours = cumhazAt(base, t);
    const theirs = cumhazAt(fit.baseline, t);
    assert.ok(Math.abs(ours - theirs) <= 1e-9 * Math.max(1, theirs), `t=${t}: ${ours} vs ${theirs}`);
  }
});

test('survival is 1 before the first event, decreasing, and lower for higher risk', () => {
  const base = breslowBaseline([0, 1, -1, 0.5], [2, 4, 4, 9], [1, 1, 0, 1]);
  assert.deepEqual(base.time, [2, 4, 9]);
  assert.equal(survivalAt(base, 0, 1), 1);
  assert.ok(survivalAt(base, 0, 3) > survivalAt(base, 0, 5));
  assert.ok(survivalAt(base, 1, 5) < survivalAt(base, 0, 5));
  // By hand: at t=2 the risk set is all four rows.
  const s = Math.exp(0) + Math.exp(1) + Math.exp(-1) + Math.exp(0.5);
  assert.ok(Math.abs(cumhazAt(base, 2) - 1 / s) < 1e-15);
});
