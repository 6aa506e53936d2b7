import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawPopulation } from '../../src/synth/population.js';
import { DEFAULT_PARAMS } from '../../src/synth/params.js';
import { coxph } from '../../src/survival/cox/fit.js';

test('a Cox fit on the true covariates recovers the documented hazard coefficients', () => {
  // A large cohort without images, and long follow-up so that there are enough events to estimate.
  const params = structuredClone(DEFAULT_PARAMS);
  params.hazard.censorMinYears = 20;
  params.hazard.censorMaxYears = 30;
  const rows = drawPopulation(5, 6000, params);
  const h = params.hazard;
  const fit = coxph({
    time: rows.map((r) => r.outcome.followupYears),
    event: rows.map((r) => r.outcome.fracture),
    covariates: [
      rows.map((r) => r.age),
      rows.map((r) => (r.sex === 'F' ? 1 : 0)),
      rows.map((r) => r.glucocorticoid),
      rows.map((r) => r.latentTScore),
      rows.map((r) => (r.deformity === null ? 0 : 1)),
    ],
    names: ['age', 'female', 'gc', 'tscore', 'deformity'],
    concordance: false,
  });
  const truth = [h.agePerYear, h.female, h.glucocorticoid, h.tscore, h.deformity];
  fit.coef.forEach((b, k) => {
    assert.ok(Math.abs(b - truth[k]) < 4 * fit.se[k], `${fit.names[k]}: ${b} (se ${fit.se[k]}) vs ${truth[k]}`);
  });
});

test('the Weibull baseline: with the linear predictor at 0, S(t) = exp(-(t/scale)^shape)', () => {
  const params = structuredClone(DEFAULT_PARAMS);
  // Switch off every term so that lp = 0 for everyone, and censoring beyond the horizon checked.
  for (const key of ['agePerYear', 'female', 'bmiPerUnit', 'glucocorticoid', 'secondaryOsteoporosis', 'rheumatoidArthritis', 'priorFracture', 'tscore', 'deformity'] as const) params.hazard[key] = 0;
  params.hazard.weibullScale = 10;
  params.hazard.censorMinYears = 6.9;
  const rows = drawPopulation(8, 8000, params);
  const t = 5;
  const observed = rows.filter((r) => r.outcome.eventTime > t).length / rows.length;
  const expected = Math.exp(-Math.pow(t / 10, params.hazard.weibullShape));
  assert.ok(Math.abs(observed - expected) < 4 * Math.sqrt((expected * (1 - expected)) / rows.length), `${observed} vs ${expected}`);
});
