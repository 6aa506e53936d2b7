import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  auroc,
  chiSquareTest,
  chiSquareUpper,
  compareAuroc,
  fisherExact,
  metricsAtThreshold,
  normalQuantile,
  oneWayAnova,
  studentTTest,
  table1,
  table1Markdown,
  welchTTest,
  wilson,
  youdenThreshold,
} from '../../src/stats/index.js';
import { readCsv } from '../../src/util/csv.js';
import { assertAllClose, assertClose, fixture, honest, more } from '../survival/fixtures.js';

const s = more.stats;
const vet = readCsv(fixture('veteran.csv'));

function split(values: Float64Array, group: Float64Array): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  values.forEach((v, i) => (group[i] === 0 ? a : b).push(v));
  return [a, b];
}

test("Welch's and Student's t-tests agree with R t.test", () => {
  const [x, y] = split(vet.numbers('karno'), vet.numbers('trt'));
  const w = welchTTest(x, y);
  assertClose(w.statistic, s.welch.statistic, 1e-12, 'welch t', true);
  assertClose(w.df, s.welch.df, 1e-12, 'welch df', true);
  assertClose(w.p, s.welch.p, 1e-9, 'welch p', true);
  assertAllClose(w.ci, s.welch.ci, 1e-9, 'welch ci', true);
  const st = studentTTest(x, y);
  assertClose(st.statistic, s.student.statistic, 1e-12, 'student t', true);
  assert.equal(st.df, s.student.df);
  assertClose(st.p, s.student.p, 1e-9, 'student p', true);
  assertAllClose(st.ci, s.student.ci, 1e-9, 'student ci', true);
});

test('chi-square (with and without Yates) and Fisher exact agree with R', () => {
  const c = chiSquareTest(s.chisq_female_status.table);
  assertClose(c.statistic, s.chisq_female_status.statistic, 1e-10, 'chisq', true);
  assertClose(c.p, s.chisq_female_status.p, 1e-9, 'chisq p', true);
  assertClose(chiSquareTest(s.chisq_female_status.table, { correct: true }).p, s.chisq_female_status.p_yates, 1e-9, 'yates p', true);
  const c4 = chiSquareTest(s.chisq_ecog_status.table);
  assertClose(c4.p, s.chisq_ecog_status.p, 1e-9, 'chisq 4x2 p', true);
  assert.ok(c4.minExpected < 5);
  assertClose(fisherExact(s.fisher_2x2.table).p, s.fisher_2x2.p, 1e-9, 'fisher 2x2', true);
  assertClose(fisherExact(s.fisher_2x3.table).p, s.fisher_2x3.p, 1e-9, 'fisher 2x3', true);
  assertClose(fisherExact(s.fisher_ecog.table).p, s.fisher_ecog.p, 1e-7, 'fisher 4x2', true);
  assert.throws(() => fisherExact([[1, 2]]), /2 x 2/);
  assert.throws(() => fisherExact([[1, -2], [3, 4]]), /non-negative integer/);
});

test('distribution tails keep precision (chi-square upper tail far out)', () => {
  assertClose(chiSquareUpper(3.841458820694124, 1), 0.05, 1e-12, 'chisq 0.95 quantile');
  assert.ok(chiSquareUpper(200, 1) > 0 && chiSquareUpper(200, 1) < 1e-40);
  assertClose(normalQuantile(0.975), 1.959963984540054, 1e-14, 'qnorm');
});

test('AUROC with DeLong CI and the DeLong comparison agree with pROC', () => {
  const status = vet.numbers('status');
  const negKarno = vet.numbers('karno').map((k) => -k);
  const a = auroc(status, negKarno);
  assertClose(a.auc, s.auroc_karno.auc, 1e-12, 'auc');
  assertAllClose(a.ci95, s.auroc_karno.ci, 1e-9, 'delong ci');
  const cmp = compareAuroc(status, negKarno, vet.numbers('age'));
  assertAllClose([cmp.auc1, cmp.auc2], s.delong_karno_vs_age.auc, 1e-12, 'aucs');
  assertClose(cmp.z, s.delong_karno_vs_age.z, 1e-9, 'delong z', true);
  assertClose(cmp.p, s.delong_karno_vs_age.p, 1e-9, 'delong p', true);
});

test('thresholds: counts, Wilson CIs (R prop.test, correct = FALSE) and Youden', () => {
  assertAllClose([wilson(17, 40).lower, wilson(17, 40).upper], s.wilson.ci, 1e-12, 'wilson');
  const label = [1, 1, 1, 0, 0, 0, 0, 1];
  const score = [0.9, 0.8, 0.3, 0.4, 0.2, 0.1, 0.35, 0.7];
  const m = metricsAtThreshold(label, score, 0.5);
  assert.deepEqual([m.tp, m.fn, m.tn, m.fp], [3, 1, 4, 0]);
  assert.equal(m.sensitivity.estimate, 0.75);
  assert.equal(m.specificity.estimate, 1);
  assert.equal(m.ppv.estimate, 1);
  assert.equal(m.npv.estimate, 0.8);
  assert.equal(youdenThreshold(label, score), 0.7);
  assert.equal(metricsAtThreshold(label, score, 0.7).youden, 0.75);
  assert.equal(metricsAtThreshold(label, score, 0.3).youden, 0.5);
  assert.throws(() => metricsAtThreshold([1, 2], [0.1, 0.2], 0.5), /row 1: must be 0 or 1/);
  // AUROC checks its input with the same rules, naming the row.
  assert.throws(() => auroc([1, 0, 2], [0.1, 0.2, 0.3]), /label, row 2: must be 0 or 1, got 2/);
  assert.throws(() => auroc([1, 0], [0.1, NaN]), /score, row 1: missing or non-finite value/);
  assert.throws(() => auroc([1, 0], [0.1]), /labels \(2\) and scores \(1\) differ in length/);
  assert.throws(() => auroc([1, 1], [0.1, 0.2]), /needs positives and negatives/);
});

test('Table 1 rows: mean +- SD, n (%), and the right test for small expected counts', () => {
  // The whole lung file: ph_ecog has one missing value, left out of its row (as R's table() does).
  const d = readCsv(fixture('lung.csv'));
  const t = table1(d.strings('status'), [
    { name: 'age', kind: 'continuous', values: d.numbers('age') },
    { name: 'female', kind: 'categorical', values: d.strings('female') },
    { name: 'ph_ecog', kind: 'categorical', values: d.strings('ph_ecog') },
    { name: 'wt_loss', kind: 'continuous', values: d.numbers('wt_loss', { missing: 'nan' }) },
  ]);
  assert.deepEqual(t.groups, ['0', '1']);
  assert.equal(t.n[0] + t.n[1], d.length);
  // Every row is checked: assert.ok(kind === ...) narrows the type instead of an if that could skip.
  const age = t.rows[0];
  assert.ok(age.kind === 'continuous', `age row is ${age.kind}`);
  const [x, y] = split(d.numbers('age'), d.numbers('status'));
  assertClose(age.p!, honest.table1_lung_age_welch.p, 1e-12, 'age p (R t.test)', true);
  assertClose(age.byGroup[0].mean, x.reduce((a, b) => a + b) / x.length, 1e-12, 'mean');
  assert.ok(y.length > 0);
  const ecog = t.rows[2];
  assert.ok(ecog.kind === 'categorical', `ph_ecog row is ${ecog.kind}`);
  assert.equal(ecog.test, 'fisher', 'an expected count < 5 switches to Fisher');
  assertClose(ecog.p!, s.fisher_ecog.p, 1e-7, 'ecog fisher p', true);
  assert.equal(ecog.missing, 1);
  assert.equal(ecog.levels.reduce((a, l) => a + l.overall.n, 0), d.length - 1);
  const sex = t.rows[1];
  assert.ok(sex.kind === 'categorical', `female row is ${sex.kind}`);
  assert.equal(sex.test, 'chi-square');
  assertClose(sex.p!, s.chisq_female_status.p, 1e-9, 'sex chisq p', true);
  const wt = t.rows[3];
  assert.ok(wt.kind === 'continuous', `wt_loss row is ${wt.kind}`);
  assert.equal(wt.overall.missing, 14, 'lung has 14 missing wt.loss');
  assert.match(table1Markdown(t), /\| age, mean ± SD \| \d+\.\d ± \d+\.\d \|/);
});

test('one-way ANOVA agrees with R anova(lm()); Table 1 uses it for more than two groups', () => {
  const d = readCsv(fixture('lung.csv'));
  const ecog = d.strings('ph_ecog');
  const age = d.numbers('age');
  const groups = new Map<string, number[]>();
  ecog.forEach((g, i) => {
    if (g === '') return;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(age[i]);
  });
  const a = oneWayAnova([...groups.values()]);
  assertClose(a.statistic, s.anova_age_ecog.statistic, 1e-10, 'F', true);
  assertClose(a.p, s.anova_age_ecog.p, 1e-9, 'p', true);
  assert.deepEqual([a.df1, a.df2], s.anova_age_ecog.df);
  const keep = ecog.map((g) => g !== '');
  const t = table1(ecog.filter((_, i) => keep[i]), [{ name: 'age', kind: 'continuous', values: age.filter((_, i) => keep[i]) }]);
  const row = t.rows[0];
  assert.ok(row.kind === 'continuous' && row.test === 'anova');
  assertClose(row.p!, s.anova_age_ecog.p, 1e-9, 'table1 anova p', true);
});

test('covariance: worked by hand, and variance is the covariance of a column with itself', async () => {
  const { covariance, variance } = await import('../../src/stats/descriptive.js');
  // Means 2 and 13/3: (-1)(-7/3) + 0 + (1)(8/3) = 5, over n - 1 = 2 (R: cov(c(1,2,3), c(2,4,7)) = 2.5).
  assert.equal(covariance([1, 2, 3], [2, 4, 7]), 2.5);
  const x = [0.3, -1.2, 4.5, 2.25, 0];
  assert.equal(covariance(x, x), variance(x));
  assert.throws(() => covariance([1, 2], [1]), RangeError);
});
