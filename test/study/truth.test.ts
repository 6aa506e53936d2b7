/**
 * The synthetic cohort's three reference lines. The scores are checked against the generator's own
 * draws, not against their formulas: a score s = log E[hazard | information] must satisfy
 * E[exp(lp - s)] = 1 within every group that the information defines (the true lp comes from the
 * generator). A Cox model fitted on every CSV column (src/survival/cox agrees with R) must land above
 * the clinical line and at or below the all-columns line on fresh patients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS, drawPopulation, generateCohort, type SynthPatient } from '../../src/synth/index.js';
import { coxph, harrellC } from '../../src/survival/index.js';
import type { CohortRow } from '../../src/study/cohort.js';
import { loadCohort } from '../../src/study/cohort.js';
import { parseConfig } from '../../src/study/config.js';
import { survivalSet } from '../../src/study/design.js';
import { allColumnsReferenceScore, clinicalReferenceScore } from '../../src/study/reference-lines.js';
import { gainShare, readTruth } from '../../src/study/truth.js';
import type { Subgroup } from '../../src/report/results.js';
import { Random } from '../../src/util/random.js';
import { rscript } from '../survival/rscript.js';

function asRow(p: SynthPatient, k: number): CohortRow {
  return {
    line: k + 2, patientId: p.patientId, image: null, mask: null, age: p.age, female: p.sex === 'F' ? 1 : 0, bmi: p.bmi,
    glucocorticoid: p.glucocorticoid, secondaryOsteoporosis: p.secondaryOsteoporosis, rheumatoidArthritis: p.rheumatoidArthritis,
    priorFracture: p.priorFracture, bmdTscore: p.bmdTscore, frax: p.fraxMof / 100, time: p.outcome.followupYears,
    event: p.outcome.fracture, split: p.split === 'test' ? 'test' : 'train',
  };
}

// One large population, drawn once (no images: cheap).
const population = drawPopulation(21, 40000, DEFAULT_PARAMS);
const rows = population.map(asRow);
const clinical = Float64Array.from(rows, (r) => clinicalReferenceScore(r, DEFAULT_PARAMS));
const allColumns = Float64Array.from(rows, (r) => allColumnsReferenceScore(r, DEFAULT_PARAMS));

/** Mean of exp(lp - score) within each group, with its standard error. */
function calibrationByGroup(score: Float64Array, group: (i: number) => number, groups: number) {
  const sum = new Float64Array(groups);
  const sum2 = new Float64Array(groups);
  const n = new Float64Array(groups);
  population.forEach((p, i) => {
    const g = group(i);
    const r = Math.exp(p.lp - score[i]);
    sum[g] += r;
    sum2[g] += r * r;
    n[g]++;
  });
  return Array.from(sum, (s, g) => {
    const mean = s / n[g];
    return { mean, se: Math.sqrt((sum2[g] / n[g] - mean * mean) / n[g]), n: n[g] };
  });
}

const bmdTertile = (() => {
  const sorted = Float64Array.from(population, (p) => p.bmdTscore).sort();
  const cuts = [sorted[Math.floor(sorted.length / 3)], sorted[Math.floor((2 * sorted.length) / 3)]];
  return (i: number) => (population[i].bmdTscore < cuts[0] ? 0 : population[i].bmdTscore < cuts[1] ? 1 : 2);
})();
const bySexAndSteroid = (i: number) => (population[i].sex === 'F' ? 2 : 0) + population[i].glucocorticoid;
const byAgeBand = (i: number) => Math.min(2, Math.floor((population[i].age - 50) / 8.5));

test('the clinical line is E[hazard | study covariates]: calibrated within sex x glucocorticoid and age bands, not within measured-BMD tertiles', () => {
  for (const group of [calibrationByGroup(clinical, bySexAndSteroid, 4), calibrationByGroup(clinical, byAgeBand, 3)]) {
    for (const g of group) assert.ok(Math.abs(g.mean - 1) < 4 * g.se + 0.01, `mean exp(lp - s) ${g.mean.toFixed(3)} (SE ${g.se.toFixed(3)}, n ${g.n})`);
  }
  // The clinical covariates do not see bmd_tscore: the lowest measured tertile is under-predicted.
  const byBmd = calibrationByGroup(clinical, bmdTertile, 3);
  assert.ok(byBmd[0].mean > 1 + 8 * byBmd[0].se, `lowest BMD tertile ${byBmd[0].mean}`);
  assert.ok(byBmd[2].mean < 1 - 8 * byBmd[2].se, `highest BMD tertile ${byBmd[2].mean}`);
});

test('the all-columns line is E[hazard | every CSV column]: calibrated within measured-BMD tertiles too', () => {
  for (const group of [calibrationByGroup(allColumns, bmdTertile, 3), calibrationByGroup(allColumns, bySexAndSteroid, 4), calibrationByGroup(allColumns, byAgeBand, 3)]) {
    for (const g of group) assert.ok(Math.abs(g.mean - 1) < 4 * g.se + 0.01, `mean exp(lp - s) ${g.mean.toFixed(3)} (SE ${g.se.toFixed(3)}, n ${g.n})`);
  }
});

test('a Cox model on every CSV column lands above the clinical line and not above the all-columns line on fresh patients', () => {
  const half = rows.length / 2;
  const fit = rows.slice(0, half);
  const fresh = rows.slice(half);
  const columns = (r: CohortRow) => [r.age, r.female, r.bmi, r.glucocorticoid, r.secondaryOsteoporosis, r.rheumatoidArthritis, r.bmdTscore];
  const x = (set: CohortRow[]) => Array.from({ length: 7 }, (_, j) => Float64Array.from(set, (r) => columns(r)[j]));
  const cox = coxph({ time: fit.map((r) => r.time), event: fit.map((r) => r.event), covariates: x(fit) });
  const risk = Float64Array.from(fresh, (r) => columns(r).reduce((s, v, j) => s + v * cox.coef[j], 0));
  const time = fresh.map((r) => r.time);
  const event = fresh.map((r) => r.event);
  const c = (score: ArrayLike<number>) => harrellC(time, event, score).c;
  const cCox = c(risk);
  const cClinical = c(clinical.subarray(half));
  const cAll = c(allColumns.subarray(half));
  const cOracle = c(Float64Array.from(population.slice(half), (p) => p.lp));
  assert.ok(cCox > cClinical + 0.01, `Cox on every column ${cCox} vs clinical line ${cClinical}`);
  assert.ok(cCox <= cAll + 0.003, `Cox on every column ${cCox} vs all-columns line ${cAll}`);
  assert.ok(cAll < cOracle - 0.03, `all-columns line ${cAll} vs oracle ${cOracle}: the image still adds`);
});

/** Harrell's C by counting pairs (no tied times or scores in the cases below). */
function pairC(time: number[], event: number[], score: number[]): number {
  let concordant = 0;
  let pairs = 0;
  for (let i = 0; i < time.length; i++) {
    for (let j = 0; j < time.length; j++) {
      if (event[i] === 1 && time[i] < time[j]) {
        pairs++;
        if (score[i] > score[j]) concordant++;
      }
    }
  }
  return concordant / pairs;
}

test('the gain share is (C - C_clinical) / (C_oracle - C_clinical), with a bootstrap CI that holds it', () => {
  const rng = new Random(3);
  const n = 40;
  const time = Array.from({ length: n }, () => rng.exponential(1));
  const event = Array.from({ length: n }, () => (rng.bernoulli(0.7) ? 1 : 0));
  const oracle = time.map((t) => -t + 0.01 * rng.normal());
  const clinicalScore = time.map((t) => -t + 2 * rng.normal());
  const model = time.map((t) => -t + 0.7 * rng.normal());
  const set = { time: Float64Array.from(time), event: Uint8Array.from(event) };
  const refs = { oracle: Float64Array.from(oracle), clinical: Float64Array.from(clinicalScore) };
  const g = gainShare(set, Float64Array.from(model), refs, 300, new Random(1));
  const expected = (pairC(time, event, model) - pairC(time, event, clinicalScore)) / (pairC(time, event, oracle) - pairC(time, event, clinicalScore));
  assert.ok(Math.abs(g.share - expected) < 1e-12, `${g.share} vs ${expected}`);
  assert.ok(g.ci95[0] <= g.share && g.share <= g.ci95[1]);
  assert.equal(gainShare(set, refs.oracle, refs, 50, new Random(1)).share, 1);
  assert.equal(gainShare(set, refs.clinical, refs, 50, new Random(1)).share, 0);
});

test("a synthetic cohort's truth.json: the lines recomputed on the analysed test rows, oracle as truth.json's", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'spinesurv-truth-')), 'cohort');
  try {
    await generateCohort({ out: dir, patients: 600, size: 64, seed: 5, workers: 0, images: false });
    const cohort = loadCohort(dir, parseConfig({ columns: { image: null } }));
    const truth = readTruth(dir, cohort);
    assert.ok(truth);
    const split = (s: Subgroup) => ({ train: survivalSet(cohort.rows, 'train', s), test: survivalSet(cohort.rows, 'test', s) });
    const sets = new Map([['all', split('all')], ['women', split('women')]] as [Subgroup, ReturnType<typeof split>][]);
    const summary = truth.summarise(sets, [], 50, new Random(1));
    const file = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
    // truth.json rounds its values to 1e-6.
    assert.ok(Math.abs(summary.oracle_harrell - file.oracle_harrell) < 1e-6);
    // truth.json's clinical-only score also knows rheumatoid arthritis; the study's covariates do not.
    assert.ok(Math.abs(summary.clinical_only_harrell - file.clinical_only_harrell) < 0.02);
    assert.equal(summary.by_subgroup.women!.n, cohort.rows.filter((r) => r.split === 'test' && r.female === 1).length);
    assert.equal(summary.gain_share.length, 2, 'the all-columns line of each subgroup');
    // Leaving rows out recomputes the lines on the rest.
    const fewer = new Map([['all', { train: sets.get('all')!.train, test: survivalSet(cohort.rows.filter((r) => r.age < 65), 'test', 'all') }]] as [Subgroup, ReturnType<typeof split>][]);
    const again = truth.summarise(fewer, [], 20, new Random(1));
    assert.equal(again.by_subgroup.all!.n, fewer.get('all')!.test.rows.length);
    assert.notEqual(again.oracle_harrell, summary.oracle_harrell);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test("the oracle C on the analysed test rows agrees with R's concordance on cohort.csv joined with truth.json", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'spinesurv-truth-')), 'cohort');
  try {
    await generateCohort({ out: dir, patients: 400, size: 64, seed: 5, workers: 0, images: false });
    const cohort = loadCohort(dir, parseConfig({ columns: { image: null } }));
    const truth = readTruth(dir, cohort);
    assert.ok(truth);
    const split = (s: Subgroup) => ({ train: survivalSet(cohort.rows, 'train', s), test: survivalSet(cohort.rows, 'test', s) });
    const sets = new Map([['all', split('all')], ['women', split('women')]] as [Subgroup, ReturnType<typeof split>][]);
    const summary = truth.summarise(sets, [], 20, new Random(1));
    // R joins cohort.csv and truth.json by patient and computes each C on the test split itself.
    const ref = rscript(`
      d <- read.csv(file.path(args[1], "cohort.csv"))
      truth <- fromJSON(file.path(args[1], "truth.json"))$patients
      d <- merge(d[d$split == "test", ], truth[, c("patient_id", "linear_predictor")], by = "patient_id")
      c_of <- function(rows) unname(concordance(Surv(followup_years, fracture) ~ linear_predictor, data = rows, reverse = TRUE)$concordance)
      women <- d[d$sex == "F", ]
      emit(list(n = nrow(d), n_women = nrow(women), oracle = c_of(d), oracle_women = c_of(women)))`, [dir]);
    const all = summary.by_subgroup.all!;
    const women = summary.by_subgroup.women!;
    assert.equal(all.n, ref.n);
    assert.equal(women.n, ref.n_women);
    assert.ok(Math.abs(all.oracle_harrell - ref.oracle) < 1e-9, `oracle C ${all.oracle_harrell} vs R ${ref.oracle}`);
    assert.ok(Math.abs(women.oracle_harrell - ref.oracle_women) < 1e-9, `women: oracle C ${women.oracle_harrell} vs R ${ref.oracle_women}`);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});
