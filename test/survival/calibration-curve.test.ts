import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrationCurve } from '../../src/survival/index.js';
import { assertClose, type Json } from './fixtures.js';
import { validation, validationRisk } from './validation-fixture.js';

test("running-window calibration curve: each window's mean risk and 1 - KM(t) agree with R's survfit on the same rows", () => {
  const { span, points, values } = validation.curve;
  const curve = calibrationCurve(validation.time, validation.status, validationRisk(), validation.horizon, { span, points });
  assert.equal(curve.length, values.length);
  curve.forEach((p, k) => {
    const ref: Json = values[k];
    assert.equal(p.first, ref.first, `window ${k} start`);
    assertClose(p.predicted, ref.predicted, 1e-9, `window ${k} predicted`);
    assertClose(p.observed, ref.observed, 1e-9, `window ${k} observed`);
  });
});
