import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concordance, harrellC, unoC, compareConcordance, coxph } from '../../src/survival/index.js';
import { Random } from '../../src/util/random.js';
import { assertAllClose, assertClose, completeCases, fixture, more, reference } from './fixtures.js';
import { readCsv } from '../../src/util/csv.js';

test("Harrell's C, its IJ SE and Uno's C on veteran agree with survival::concordance", () => {
  const v = readCsv(fixture('veteran.csv'));
  const score = v.numbers('karno').map((k) => -k);
  const h = harrellC(v.numbers('time'), v.numbers('status'), score);
  const u = unoC(v.numbers('time'), v.numbers('status'), score);
  assertClose(h.c, reference.concordance.harrell, 1e-9, 'harrell');
  assertClose(h.se, reference.concordance.harrell_se, 1e-9, 'harrell se');
  assertClose(u.c, reference.concordance.uno, 1e-9, 'uno');
});

test('concordance with heavy score ties, tau, weights and strata agrees with R (lung)', () => {
  const d = completeCases('lung.csv', ['time', 'status', 'age', 'ph_ecog', 'female']);
  const time = d.numbers('time');
  const status = d.numbers('status');
  const c = more.concordance;
  const h = harrellC(time, status, d.numbers('ph_ecog'));
  assertClose(h.c, c.lung_ecog.c, 1e-9, 'ecog C');
  assertClose(h.se, c.lung_ecog.se, 1e-9, 'ecog se');
  // R's count is in its own orientation (reverse = TRUE swaps concordant/discordant).
  assertAllClose([h.counts.concordant, h.counts.discordant, h.counts.tiedX, h.counts.tiedY, h.counts.tiedXY], c.lung_ecog.count, 1e-9, 'ecog counts');
  const u = unoC(time, status, d.numbers('ph_ecog'), { tau: 365 });
  assertClose(u.c, c.lung_ecog_uno_365.c, 1e-9, 'uno tau 365');
  assertClose(u.se, c.lung_ecog_uno_365.se, 1e-9, 'uno tau 365 se');
  const w = Array.from({ length: d.length }, (_, i) => 0.5 + ((i + 1) % 4) / 4);
  const hw = harrellC(time, status, d.numbers('age'), { weights: w });
  assertClose(hw.c, c.lung_age_weighted.c, 1e-9, 'weighted C');
  assertClose(hw.se, c.lung_age_weighted.se, 1e-9, 'weighted se');
  const hs = harrellC(time, status, d.numbers('age'), { strata: d.strings('female') });
  assertClose(hs.c, c.lung_age_strata_female.c, 1e-9, 'stratified C');
  assertClose(hs.se, c.lung_age_strata_female.se, 1e-9, 'stratified se');
});

test('concordance on flchain (6,524 complete rows, tied times and scores) agrees with R, Harrell and Uno with tau', () => {
  const d = completeCases('flchain.csv', ['futime', 'death', 'age', 'male', 'creatinine']);
  const lambda = d.numbers('lambda');
  const score = d.numbers('kappa').map((k, i) => k + lambda[i]);
  const t = d.numbers('futime');
  const e = d.numbers('death');
  const c = more.concordance;
  const h = harrellC(t, e, score);
  assertClose(h.c, c.flchain_kappa_lambda.c, 1e-9, 'C');
  assertClose(h.se, c.flchain_kappa_lambda.se, 1e-9, 'se');
  assertClose(unoC(t, e, score).c, c.flchain_kappa_lambda_uno.c, 1e-9, 'uno');
  const u2 = unoC(t, e, score, { tau: 2000 });
  assertClose(u2.c, c.flchain_kappa_lambda_uno_2000.c, 1e-9, 'uno tau');
  assertClose(u2.se, c.flchain_kappa_lambda_uno_2000.se, 1e-9, 'uno tau se');
});

test('O(n^2) definition check on random data with ties: same C as counting pairs directly', () => {
  const r = new Random(7);
  const n = 300;
  const time = Array.from({ length: n }, () => 1 + r.int(40));
  const event = Array.from({ length: n }, () => (r.bernoulli(0.6) ? 1 : 0));
  const score = Array.from({ length: n }, () => r.int(10));
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    if (event[i] !== 1) continue;
    for (let j = 0; j < n; j++) {
      if (time[j] > time[i] || (time[j] === time[i] && event[j] === 0)) {
        den++;
        num += score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0;
      }
    }
  }
  assertClose(harrellC(time, event, score).c, num / den, 1e-12, 'brute-force C');
});

test('a perfect score gives C = 1, its negation 0, a constant 0.5', () => {
  const time = [1, 2, 3, 4, 5, 6];
  const event = [1, 1, 0, 1, 1, 0];
  assert.equal(harrellC(time, event, [6, 5, 4, 3, 2, 1]).c, 1);
  assert.equal(harrellC(time, event, [1, 2, 3, 4, 5, 6]).c, 0);
  assert.equal(concordance(time, event, [3, 3, 3, 3, 3, 3]).c, 0.5);
});

test('paired comparison: IJ contrast SE equals R concordance(fit1, fit2); bootstrap is seeded', () => {
  const d = completeCases('lung.csv', ['time', 'status', 'age', 'ph_ecog', 'female']);
  const time = d.numbers('time');
  const status = d.numbers('status');
  const cmp = more.compare;
  const f1 = coxph({ time, event: status, covariates: cmp.covariates1.map((c: string) => d.numbers(c)) });
  const f2 = coxph({ time, event: status, covariates: [cmp.covariates2].flat().map((c: string) => d.numbers(c)) });
  const r = compareConcordance(time, status, f1.linearPredictor, f2.linearPredictor, { B: 50, random: 3 });
  assertAllClose([r.c1, r.c2], cmp.c, 1e-9, 'c1, c2');
  assertClose(r.difference, cmp.diff, 1e-9, 'difference');
  assertClose(r.jackknife.se, cmp.diff_se, 1e-9, 'contrast se');
  const again = compareConcordance(time, status, f1.linearPredictor, f2.linearPredictor, { B: 50, random: 3 });
  assert.deepEqual(again.bootstrap, r.bootstrap);
  assert.ok(r.bootstrap!.ci95[0] < r.difference && r.difference < r.bootstrap!.ci95[1]);
});

test('bad concordance inputs are rejected naming the row', () => {
  assert.throws(() => harrellC([1, 2, -3], [1, 0, 1], [1, 2, 3]), /row 2: negative time/);
  assert.throws(() => harrellC([1, 2, 3], [1, 0, 3], [1, 2, 3]), /row 2: event must be 0 or 1/);
  assert.throws(() => harrellC([1, 2, 3], [1, 0, 1], [1, NaN, 3]), /score, row 1/);
});

test('the two sweeps (by time, by score) give the same C, SE, counts and influence: ties, weights, strata, n/G2, tau', () => {
  const r = new Random(21);
  for (let rep = 0; rep < 6; rep++) {
    const n = 150 + rep * 40;
    const time = Array.from({ length: n }, () => 1 + r.int(rep % 2 === 0 ? 25 : 400));
    const event = Array.from({ length: n }, () => (r.bernoulli(0.55) ? 1 : 0));
    const score = Array.from({ length: n }, () => (rep % 3 === 0 ? r.int(6) : r.normal()));
    const weights = rep >= 3 ? Array.from({ length: n }, () => 0.25 + r.uniform() * 2) : undefined;
    const strata = rep >= 4 ? Array.from({ length: n }, () => r.int(3)) : undefined;
    for (const timewt of ['n', 'n/G2'] as const) {
      const tau = timewt === 'n/G2' && rep % 2 === 1 ? 200 : undefined;
      const a = concordance(time, event, score, { timewt, tau, weights, strata, sweep: 'time' });
      const b = concordance(time, event, score, { timewt, tau, weights, strata, sweep: 'score' });
      const what = `rep ${rep} ${timewt}`;
      assertClose(b.c, a.c, 1e-12, `${what} C`);
      assertClose(b.se, a.se, 1e-12, `${what} se`);
      assertAllClose(
        [b.counts.concordant, b.counts.discordant, b.counts.tiedX, b.counts.tiedY, b.counts.tiedXY],
        [a.counts.concordant, a.counts.discordant, a.counts.tiedX, a.counts.tiedY, a.counts.tiedXY],
        1e-8,
        `${what} counts`,
      );
      assertAllClose(b.influence, a.influence, 1e-12, `${what} influence`);
    }
  }
});
