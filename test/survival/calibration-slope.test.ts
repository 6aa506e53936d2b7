import { test } from 'node:test';
import { calibrationSlope, logCumulativeHazard } from '../../src/survival/index.js';
import { assertClose } from './fixtures.js';
import { validation } from './validation-fixture.js';

test('calibration slope agrees with R: coxph(Surv(time, status) ~ lp) on the new site, Efron and Breslow', () => {
  const r = calibrationSlope(validation.time, validation.status, validation.lp);
  assertClose(r.slope, validation.slope, 1e-6, 'slope');
  assertClose(r.se, validation.slope_se, 1e-6, 'slope SE');
  assertClose(calibrationSlope(validation.time, validation.status, validation.lp, 'breslow').slope, validation.slope_breslow, 1e-6, 'Breslow slope');
});

test('the log cumulative hazard log(-log S(t)) gives the same slope as the linear predictor (R)', () => {
  const llh = logCumulativeHazard(validation.surv);
  assertClose(calibrationSlope(validation.time, validation.status, llh).slope, validation.slope_llh, 1e-6, 'slope on log(-log S)');
});
