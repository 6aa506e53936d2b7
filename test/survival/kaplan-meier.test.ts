import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaplanMeier, logRank } from '../../src/survival/index.js';
import { readCsv } from '../../src/util/csv.js';
import { assertAllClose, assertClose, completeCases, fixture, more, reference } from './fixtures.js';

test('Kaplan-Meier with Greenwood log CIs agrees with R survfit on veteran and lung', () => {
  const v = readCsv(fixture('veteran.csv'));
  const ref = reference.kaplan_meier;
  const at = kaplanMeier(v.numbers('time'), v.numbers('status')).at(ref.times);
  assertAllClose(at.surv, ref.surv, 1e-12, 'veteran surv');
  assertAllClose(at.lower, ref.lower95, 1e-12, 'veteran lower');
  assertAllClose(at.upper, ref.upper95, 1e-12, 'veteran upper');
  const l = readCsv(fixture('lung.csv'));
  const km = kaplanMeier(l.numbers('time'), l.numbers('status'));
  const r = more.km_lung;
  const atl = km.at(r.times);
  assertAllClose(atl.surv, r.surv, 1e-12, 'lung surv');
  assertAllClose(atl.lower, r.lower95, 1e-12, 'lung lower');
  assertAllClose(atl.upper, r.upper95, 1e-12, 'lung upper');
  assert.deepEqual(atl.nRisk, r.n_risk);
  assert.equal(km.median, r.median);
});

test('log-rank test agrees with R survdiff (2 groups and 4 groups)', () => {
  const l = readCsv(fixture('lung.csv'));
  const lr = logRank(l.numbers('time'), l.numbers('status'), l.numbers('female'));
  assertClose(lr.chisq, more.logrank.lung_female.chisq, 1e-10, 'chisq', true);
  assertAllClose(lr.observed, more.logrank.lung_female.observed, 1e-12, 'observed');
  assertAllClose(lr.expected, more.logrank.lung_female.expected, 1e-10, 'expected', true);
  assert.equal(lr.df, 1);
  const d = completeCases('lung.csv', ['time', 'status', 'ph_ecog']);
  const lr4 = logRank(d.numbers('time'), d.numbers('status'), d.numbers('ph_ecog'));
  assertClose(lr4.chisq, more.logrank.lung_ecog.chisq, 1e-10, 'chisq ecog', true);
  assert.equal(lr4.df, 3);
});

test('Kaplan-Meier basics: no censoring is the empirical survival; weights act as counts', () => {
  const km = kaplanMeier([1, 2, 3, 4], [1, 1, 1, 1]);
  assert.deepEqual(Array.from(km.surv), [0.75, 0.5, 0.25, 0]);
  assert.equal(km.median, 2.5);
  const w = kaplanMeier([1, 2, 3], [1, 0, 1], { weights: [2, 1, 1] });
  const rep = kaplanMeier([1, 1, 2, 3], [1, 1, 0, 1]);
  assertAllClose(w.surv, rep.surv, 1e-15, 'weighted = replicated');
  assert.throws(() => kaplanMeier([1, -2], [1, 0]), /row 1: negative time/);
});
