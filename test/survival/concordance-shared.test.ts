/**
 * Harrell's and Uno's C computed with shared sorts (ConcordanceOptions.shared, what `spinesurv
 * concordance` does) give R's values on veteran and exactly the unshared results elsewhere; a cache
 * filled for other arrays is not used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv } from '../../src/util/csv.js';
import { concordance, type ConcordanceSorts } from '../../src/survival/concordance.js';
import { Random } from '../../src/util/random.js';
import { assertClose, fixture, reference } from './fixtures.js';

test("shared sorts: R's Harrell's C, its SE and Uno's C on veteran (score -karno)", () => {
  const t = readCsv(fixture('veteran.csv'));
  const time = t.numbers('time');
  const event = t.numbers('status');
  const score = t.numbers('karno').map((k) => -k);
  const shared: ConcordanceSorts = {};
  const h = concordance(time, event, score, { timewt: 'n', shared });
  assert.ok(shared.xOrder !== undefined, 'the first call left its sorts');
  const u = concordance(time, event, score, { timewt: 'n/G2', shared });
  const ref = reference.concordance;
  assertClose(h.c, ref.harrell, 1e-9, 'harrell');
  assertClose(h.se, ref.harrell_se, 1e-9, 'harrell se');
  assertClose(u.c, ref.uno, 1e-9, 'uno');
});

test('shared sorts give bit-identical results to separate calls, with ties, tau and both sweeps; other arrays recompute', () => {
  const r = new Random(7);
  const n = 3000;
  const time = Float64Array.from({ length: n }, () => Math.ceil(r.uniform() * 200));
  const event = Float64Array.from({ length: n }, () => (r.uniform() < 0.4 ? 1 : 0));
  const score = Float64Array.from({ length: n }, () => Math.round(r.normal() * 50) / 10);
  for (const sweep of ['time', 'score'] as const) {
    const shared: ConcordanceSorts = {};
    for (const opts of [{ timewt: 'n' as const }, { timewt: 'n/G2' as const, tau: 150 }, { timewt: 'n/G' as const }]) {
      const a = concordance(time, event, score, { ...opts, sweep, shared });
      const b = concordance(time, event, score, { ...opts, sweep });
      assert.deepEqual([a.c, a.se, a.counts], [b.c, b.se, b.counts], `${sweep} ${JSON.stringify(opts)}`);
      assert.deepEqual(a.influence, b.influence);
    }
    // Another score (a new array) with the same cache: recomputed, not the old ranking.
    const other = Float64Array.from(score, (s) => -s);
    const c = concordance(time, event, other, { timewt: 'n', sweep, shared });
    assert.equal(c.c, concordance(time, event, other, { timewt: 'n', sweep }).c);
    assert.ok(Math.abs(c.c - (1 - concordance(time, event, score, { timewt: 'n', sweep }).c)) < 1e-12, 'reversed score gives 1 - C');
  }
});
