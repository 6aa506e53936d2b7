import { test } from 'node:test';
import { observedExpected } from '../../src/survival/index.js';
import { assertClose } from './fixtures.js';
import { validation, validationRisk } from './validation-fixture.js';

test('O/E at a horizon agrees with R (1 - survfit at t over the mean predicted risk) on the same predictions', () => {
  const r = observedExpected(validation.time, validation.status, validationRisk(), validation.horizon);
  assertClose(r.observed, validation.observed, 1e-9, 'observed');
  assertClose(r.expected, validation.expected, 1e-9, 'expected');
  assertClose(r.oe, validation.oe, 1e-6, 'O/E');
});
