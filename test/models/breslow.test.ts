import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breslowBaseline, survivalAt } from '../../src/models/breslow.js';
import { coxph, cumhazAt } from '../../src/survival/index.js';
import { covariateColumns } from '../../src/models/survival-data.js';
import { fixtureData } from './fixtures.js';

test('Breslow baseline of a linear score equals the statistics module (Breslow ties, veteran)', () => {
  const covs = ['trt', 'karno', 'age'];
  const d = fixtureData('veteran.csv', 'time', 'status', covs);
  const cols = covariateColumns(d);
  const fit = coxph({ time: d.time, event: d.event, covariates: cols, ties: 'breslow', concordance: false });
  const risk = Float64Array.from({ length: d.n }, (_, i) => cols.reduce((s, c, j) => s + c[i] * fit.coef[j], 0));
  const base = breslowBaseline(risk, d.time, d.event);
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
