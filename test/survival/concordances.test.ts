/**
 * concordances() (Harrell's and Uno's C of one score in one sweep, what `spinesurv concordance` does)
 * gives each weighting exactly what concordance() gives it alone, and R's values on veteran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv } from '../../src/util/csv.js';
import { concordance, concordances } from '../../src/survival/concordance.js';
import { Random } from '../../src/util/random.js';
import { assertClose, fixture, reference } from './fixtures.js';

test("concordances: R's Harrell's C, its SE and Uno's C on veteran (score -karno), in one call", () => {
  const t = readCsv(fixture('veteran.csv'));
  const score = t.numbers('karno').map((k) => -k);
  const [h, u] = concordances(t.numbers('time'), t.numbers('status'), score, [{ timewt: 'n' }, { timewt: 'n/G2' }]);
  assertClose(h.c, reference.concordance.harrell, 1e-9, 'harrell');
  assertClose(h.se, reference.concordance.harrell_se, 1e-9, 'harrell se');
  assertClose(u.c, reference.concordance.uno, 1e-9, 'uno');
});

test('concordances: each weighting bit-identical to its own concordance() call, with ties, tau, weights, strata and both sweeps', () => {
  const r = new Random(11);
  for (let rep = 0; rep < 6; rep++) {
    const n = 400 + 150 * rep;
    const time = Float64Array.from({ length: n }, () => 1 + r.int(rep % 2 === 0 ? 40 : 900));
    const event = Float64Array.from({ length: n }, () => (r.uniform() < 0.45 ? 1 : 0));
    // Continuous scores (ties rare), rounded ones (ties in groups) and a six-level score.
    const score = Float64Array.from({ length: n }, () => (rep % 3 === 0 ? r.normal() : rep % 3 === 1 ? Math.round(r.normal() * 20) / 10 : r.int(6)));
    const weights = rep >= 3 ? Array.from({ length: n }, () => 0.25 + r.uniform() * 2) : undefined;
    const strata = rep >= 4 ? Array.from({ length: n }, () => r.int(3)) : undefined;
    const weightings = [{ timewt: 'n' as const }, { timewt: 'n/G2' as const, tau: rep % 2 === 0 ? 30 : 700 }, { timewt: 'n/G' as const }];
    for (const sweep of ['time', 'score'] as const) {
      const together = concordances(time, event, score, weightings, { weights, strata, sweep });
      weightings.forEach((wt, q) => {
        const alone = concordance(time, event, score, { ...wt, weights, strata, sweep });
        const what = `rep ${rep} ${sweep} ${wt.timewt}`;
        assert.deepEqual([together[q].c, together[q].se, together[q].counts], [alone.c, alone.se, alone.counts], what);
        assert.deepEqual(together[q].influence, alone.influence, `${what} influence`);
      });
    }
  }
});
