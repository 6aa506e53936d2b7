import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/util/random.js';
import { simulateDeepSurvData } from '../../src/models/simulate.js';
import { harrellC } from '../../src/survival/index.js';
import { countEvents } from '../../src/models/survival-data.js';

test('the DeepSurv simulations: half the events observed, informative first two covariates, seeded', () => {
  for (const kind of ['linear', 'gaussian'] as const) {
    const d = simulateDeepSurvData({ n: 2000, kind, rng: new Random(5), lambdaMax: 10 });
    assert.equal(d.p, 10);
    assert.ok(Math.abs(countEvents(d.event) / d.n - 0.5) < 0.01);
    for (let i = 0; i < d.n * d.p; i++) assert.ok(d.x[i] >= -1 && d.x[i] < 1);
    const oracle = harrellC(d.time, d.event, d.trueRisk).c;
    // The true risk ranks well; a linear score can't for the gaussian (symmetric) risk.
    assert.ok(oracle > (kind === 'linear' ? 0.75 : 0.63), `${kind} oracle C ${oracle}`);
    const again = simulateDeepSurvData({ n: 2000, kind, rng: new Random(5), lambdaMax: 10 });
    assert.deepEqual(again.time, d.time);
  }
});
