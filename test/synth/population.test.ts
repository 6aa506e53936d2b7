import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawPopulation } from '../../src/synth/population.js';
import { DEFAULT_PARAMS } from '../../src/synth/params.js';
import { DEFAULT_SEED } from '../../src/synth/cohort.js';
import { concordanceSummary } from '../../src/synth/truth.js';

const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
const sd = (a: number[]): number => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / (a.length - 1));
};
/** Allowed distance from a Table 1 proportion: 4 standard errors at this n. */
const within = (observed: number, target: number, n: number): boolean => Math.abs(observed - target) <= 4 * Math.sqrt((target * (1 - target)) / n) + 1e-9;

const cohort = drawPopulation(DEFAULT_SEED, 1595, DEFAULT_PARAMS);

test('the default cohort looks like the study Table 1 within sampling error', () => {
  const n = cohort.length;
  const ages = cohort.map((p) => p.age);
  assert.ok(Math.abs(mean(ages) - 60.5) < 4 * (6.2 / Math.sqrt(n)), `mean age ${mean(ages)}`);
  assert.ok(Math.abs(sd(ages) - 6.2) < 0.4, `age SD ${sd(ages)}`);
  assert.ok(Math.min(...ages) >= 50 && Math.max(...ages) <= 75);
  const bmi = cohort.map((p) => p.bmi);
  assert.ok(Math.abs(mean(bmi) - 24.1) < 4 * (3.7 / Math.sqrt(n)), `mean BMI ${mean(bmi)}`);
  assert.ok(Math.abs(sd(bmi) - 3.7) < 0.3, `BMI SD ${sd(bmi)}`);
  assert.ok(within(mean(cohort.map((p) => (p.sex === 'F' ? 1 : 0))), 0.745, n));
  assert.ok(within(mean(cohort.map((p) => p.glucocorticoid)), 0.52, n));
  assert.ok(within(mean(cohort.map((p) => p.secondaryOsteoporosis)), 0.05, n));
  assert.ok(within(mean(cohort.map((p) => p.rheumatoidArthritis)), 0.035, n));
  assert.equal(cohort.filter((p) => p.priorFracture === 1).length, 0);
});

test('outcomes: about 7.5% events, follow-up 0.5-7 years with mean near 3.4, split 1416/179', () => {
  const events = cohort.filter((p) => p.outcome.fracture === 1).length;
  assert.ok(Math.abs(events / cohort.length - 0.075) <= 0.02, `event rate ${events / cohort.length}`);
  const fu = cohort.map((p) => p.outcome.followupYears);
  assert.ok(Math.abs(mean(fu) - 3.4) < 0.3, `mean follow-up ${mean(fu)}`);
  for (const p of cohort) {
    assert.ok(p.outcome.censorTime >= 0.5 && p.outcome.censorTime <= 7);
    assert.ok(p.outcome.followupYears <= p.outcome.censorTime + 5e-4);
    assert.equal(p.outcome.fracture, p.outcome.eventTime <= p.outcome.censorTime ? 1 : 0);
    if (p.outcome.fracture === 0) assert.ok(p.outcome.followupYears >= 0.5 - 5e-4);
  }
  assert.equal(cohort.filter((p) => p.split === 'train').length, 1416);
  assert.equal(cohort.filter((p) => p.split === 'test').length, 179);
});

test('the image adds signal: test-split oracle C exceeds the best clinical-only C by at least 0.05', () => {
  const { test: t, all } = concordanceSummary(cohort);
  assert.ok(t.events >= 8, `test events ${t.events}`);
  assert.ok((t.oracle_harrell ?? 0) - (t.clinical_only_harrell ?? 1) >= 0.05, JSON.stringify(t));
  assert.ok((all.oracle_harrell ?? 0) - (all.clinical_only_harrell ?? 1) >= 0.05, JSON.stringify(all));
  // The best clinical-only score is at least as good as the clinical terms alone, over the cohort.
  assert.ok((all.clinical_only_harrell ?? 0) >= (all.clinical_terms_harrell ?? 1) - 0.01, JSON.stringify(all));
});

test('low density makes deformity likelier and the linear predictor is its documented sum', () => {
  const low = cohort.filter((p) => p.latentTScore < -2);
  const high = cohort.filter((p) => p.latentTScore > -0.5);
  const rate = (g: typeof cohort): number => g.filter((p) => p.deformity !== null).length / g.length;
  assert.ok(rate(low) > 2 * rate(high), `deformity ${rate(low)} vs ${rate(high)}`);
  for (const p of cohort.slice(0, 50)) assert.ok(Math.abs(p.lp - p.lpClinical - p.lpImage) < 1e-12);
});

test('the same seed gives the same cohort; another seed a different one', () => {
  const a = drawPopulation(11, 40, DEFAULT_PARAMS);
  const b = drawPopulation(11, 40, DEFAULT_PARAMS);
  const c = drawPopulation(12, 40, DEFAULT_PARAMS);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((p) => p.age), c.map((p) => p.age));
  // Patient i does not depend on the cohort size.
  const d = drawPopulation(11, 80, DEFAULT_PARAMS);
  assert.deepEqual(a.map((p) => p.latentTScore), d.slice(0, 40).map((p) => p.latentTScore));
});
