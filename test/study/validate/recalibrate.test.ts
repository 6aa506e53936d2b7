import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitUpdate } from '../../../src/study/validate/recalibrate.js';
import { cumhazAt } from '../../../src/survival/index.js';
import { assertClose } from '../../survival/fixtures.js';
import { validation } from '../../survival/validation-fixture.js';

const set = () => ({ rows: [], time: Float64Array.from(validation.time), event: Uint8Array.from(validation.status) });

test("updating on the new site agrees with R: the Breslow baseline with lp as an offset (intercept), and with b lp for R's Efron slope b (slope)", () => {
  const lp = Float64Array.from(validation.lp as number[]);
  const ref = validation.update;
  const intercept = fitUpdate('intercept', 'm', lp, set());
  assert.equal(intercept.slope, 1);
  ref.times.forEach((t: number, k: number) => assertClose(cumhazAt(intercept.baseline, t), ref.intercept[k], 1e-9, `intercept H0(${t})`));
  const slope = fitUpdate('slope', 'm', lp, set());
  assertClose(slope.slope, ref.slope, 1e-6, 'slope');
  ref.times.forEach((t: number, k: number) => assertClose(cumhazAt(slope.baseline, t), ref.slope_cumhaz[k], 1e-6, `slope H0(${t})`));
  // S(t) of a patient uses b times the original risk.
  assertClose(slope.survival(lp[0], 300), Math.exp(-cumhazAt(slope.baseline, 300) * Math.exp(ref.slope * lp[0])), 1e-12, 'S(300)');
});

test('a slope update that would reverse the ranking is refused by name', () => {
  const lp = Float64Array.from(validation.lp as number[], (v) => -v);
  assert.throws(() => fitUpdate('slope', 'coxph_m3_all', lp, set()), /coxph_m3_all: the calibration slope .* is -0\.598; a slope update would reverse its ranking/);
});
