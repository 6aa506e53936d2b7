import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netBenefit } from '../../src/survival/index.js';
import { assertClose } from './fixtures.js';

// Six patients, horizon 2 years, worked by hand:
//   patient  A    B    C    D    E    F
//   time     1    3    1.5  4    0.5  2.5
//   event    1    0    0    0    1    1
//   risk     .40  .30  .25  .05  .50  .10
// Everyone: KM(2) = 5/6 * 4/5 = 2/3 (E at 0.5, A at 1; C censored at 1.5; F's event is after 2).
// p = 0.2 (odds 1/4): treated A, B, C, E (q = 4/6); their KM(2) = 3/4 * 2/3 = 1/2, so
//   NB = 4/6 * 1/2 - 4/6 * 1/2 * 1/4 = 1/4; treat all = 1/3 - 2/3 * 1/4 = 1/6.
// p = 0.45 (odds 9/11): treated E alone (q = 1/6, KM(2) = 0): NB = 1/6; treat all = 1/3 - 2/3 * 9/11 = -7/33.
// p = 0.6: nobody treated, NB = 0; treat all = 1/3 - 2/3 * 3/2 = -2/3.
test('net benefit with censored outcomes agrees with a hand-worked case', () => {
  const time = [1, 3, 1.5, 4, 0.5, 2.5];
  const event = [1, 0, 0, 0, 1, 1];
  const risk = [0.4, 0.3, 0.25, 0.05, 0.5, 0.1];
  const nb = netBenefit(time, event, risk, 2, [0.2, 0.45, 0.6]);
  const expected = [
    [1 / 4, 1 / 6],
    [1 / 6, -7 / 33],
    [0, -2 / 3],
  ];
  nb.forEach((p, k) => {
    assertClose(p.model, expected[k][0], 1e-12, `model at ${p.threshold}`);
    assertClose(p.treat_all, expected[k][1], 1e-12, `treat all at ${p.threshold}`);
  });
  assert.throws(() => netBenefit(time, event, risk, 2, [1]), /thresholds must lie in \(0, 1\)/);
});
