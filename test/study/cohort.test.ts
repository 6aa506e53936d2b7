import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CohortProblems, loadCohort } from '../../src/study/cohort.js';
import { DEFAULT_CONFIG, parseConfig } from '../../src/study/config.js';
import { InputError } from '../../src/util/errors.js';
import { makeFixtureCohort } from './fixture-cohort.js';

test('a cohort in the CLI.md format loads with its flow counted', () => {
  const dir = makeFixtureCohort({ patients: 60 });
  try {
    const cohort = loadCohort(dir, DEFAULT_CONFIG);
    assert.equal(cohort.flow.rowsRead, 60);
    assert.equal(cohort.flow.analysed, 60);
    assert.equal(cohort.flow.bySplit.train.n + cohort.flow.bySplit.test.n, 60);
    assert.equal(cohort.rows[0].line, 2);
    assert.ok(cohort.hasFrax && cohort.fraxWasPercent, 'FRAX given in percent is read as a fraction');
    assert.ok(cohort.rows.every((r) => r.frax > 0 && r.frax < 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('study.json maps other column names and codes: sex 1/2, months, yes/no events, other split names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-mapped-'));
  try {
    mkdirSync(join(dir, 'xr'));
    for (const f of ['a.dcm', 'b.dcm', 'c.dcm', 'd.dcm']) writeFileSync(join(dir, 'xr', f), 'x');
    writeFileSync(
      join(dir, 'data.csv'),
      'id,film,age_y,gender,bmi,steroid,sec_op,fu_months,vfx,set\n' +
        '1,xr/a.dcm,61,2,22.5,Y,N,24,yes,dev\n' +
        '2,xr/b.dcm,70,1,25.0,N,N,36,no,dev\n' +
        '3,xr/c.dcm,55,2,21.0,Y,Y,6,yes,val\n' +
        '4,xr/d.dcm,66,1,27.5,N,N,60,no,val\n',
    );
    const config = parseConfig({
      cohort_file: 'data.csv',
      columns: {
        patient_id: 'id', image: 'film', age: 'age_y', sex: 'gender', glucocorticoid: 'steroid',
        secondary_osteoporosis: 'sec_op', followup_years: 'fu_months', fracture: 'vfx', split: 'set',
        frax_mof: null, rheumatoid_arthritis: null, prior_fracture: null, bmd_tscore: null,
      },
      codes: { sex: { '1': 'M', '2': 'F' }, fracture: { yes: '1', no: '0' }, split: { dev: 'train', val: 'test' }, binary: { Y: '1', N: '0' } },
      time_unit: 'months',
    });
    const cohort = loadCohort(dir, config);
    assert.deepEqual(cohort.rows.map((r) => r.female), [1, 0, 1, 0]);
    assert.deepEqual(cohort.rows.map((r) => r.time), [2, 3, 0.5, 5]);
    assert.deepEqual(cohort.rows.map((r) => r.event), [1, 0, 1, 0]);
    assert.deepEqual(cohort.rows.map((r) => r.split), ['train', 'train', 'test', 'test']);
    assert.deepEqual(cohort.rows.map((r) => r.glucocorticoid), [1, 0, 1, 0]);
    assert.equal(cohort.hasFrax, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every bad row is named, by line, before anything is fitted', () => {
  const dir = makeFixtureCohort({
    patients: 40,
    edit(header, rows) {
      const col = (name: string) => header.indexOf(name);
      rows[0][col('image')] = 'images/missing.dcm'; // line 2
      rows[1][col('followup_years')] = '-0.5'; // line 3
      rows[2][col('followup_years')] = ''; // line 4
      rows[3][col('sex')] = 'X'; // line 5
      rows[4][col('fracture')] = '2'; // line 6
      rows[5][col('patient_id')] = rows[6][col('patient_id')]; // lines 7 and 8 share an id, same split
      rows[6][col('split')] = 'train';
      rows[5][col('split')] = 'train';
      rows[20][col('patient_id')] = rows[39][col('patient_id')]; // line 22 (train) and line 41 (test)
      rows[20][col('split')] = 'train';
      rows[39][col('split')] = 'test';
      rows[9][col('split')] = 'validation'; // line 11
      rows[10][col('age')] = 'sixty'; // line 12
    },
  });
  try {
    let caught: CohortProblems | undefined;
    try {
      loadCohort(dir, DEFAULT_CONFIG);
    } catch (error) {
      caught = error as CohortProblems;
    }
    assert.ok(caught instanceof CohortProblems, 'a CohortProblems error');
    assert.ok(caught instanceof InputError, 'which exits 2');
    const byLine = new Map(caught.rows.map((r) => [r.line, r.problems.join('; ')]));
    assert.deepEqual([...byLine.keys()].sort((a, b) => a - b), [2, 3, 4, 5, 6, 8, 11, 12, 41]);
    assert.match(byLine.get(2)!, /image file not found/);
    assert.match(byLine.get(3)!, /follow-up .* is negative/);
    assert.match(byLine.get(4)!, /follow-up .* is missing/);
    assert.match(byLine.get(5)!, /sex code "X"/);
    assert.match(byLine.get(6)!, /event "2".*0 or 1/);
    assert.match(byLine.get(8)!, /duplicate patient_id \(first on line 7\)/);
    assert.match(byLine.get(11)!, /split "validation"/);
    assert.match(byLine.get(12)!, /age "sixty" is not a number/);
    assert.match(byLine.get(41)!, /both splits \(train on line 22, test here\)/);
    for (const line of byLine.keys()) assert.match(caught.message, new RegExp(`line ${line}: `));
    assert.doesNotMatch(caught.message, /P00\d\d/, 'rows are named by line, not by patient_id');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inclusion ranges and drop_missing exclude rows and count them in the flow', () => {
  const dir = makeFixtureCohort({
    patients: 60,
    edit(header, rows) {
      rows[0][header.indexOf('bmi')] = '';
      rows[1][header.indexOf('age')] = '80';
      rows[2][header.indexOf('age')] = '45';
    },
  });
  try {
    assert.throws(() => loadCohort(dir, DEFAULT_CONFIG), /line 2: bmi is missing/);
    const config = parseConfig({ include: { age: { min: 50, max: 75 } }, drop_missing: true });
    const cohort = loadCohort(dir, config);
    assert.equal(cohort.flow.rowsRead, 60);
    assert.equal(cohort.flow.analysed, 57);
    assert.deepEqual(cohort.flow.excluded, [
      { reason: 'missing bmi', n: 1 },
      { reason: 'age outside 50 to 75', n: 2 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('study.json: unknown keys, bad codes and bad DeepSurv settings are refused by name', () => {
  assert.throws(() => parseConfig({ colums: {} }), /unknown key "colums"/);
  assert.throws(() => parseConfig({ codes: { sex: { '3': 'X' } } }), /codes\.sex\.3: "X" must be one of F, M/);
  assert.throws(() => parseConfig({ columns: { age_years: 'age' } }), /unknown column "age_years"/);
  assert.throws(() => parseConfig({ deepsurv: { dropout: 2 } }), /dropout/);
  assert.throws(() => parseConfig({ time_unit: 'fortnights' }), /time_unit/);
  assert.equal(parseConfig({ bootstrap: 50 }).bootstrap, 50);
  // One resample gives no interval: refused here, not after the models are fitted.
  assert.throws(() => parseConfig({ bootstrap: 1 }), /"bootstrap" must be an integer >= 2, got 1/);
  // The image half: a profile's values, then the keys given; unknown keys and bad values by name.
  const paper = parseConfig({ images: { profile: 'paper', variant_epochs: 3 } }).images;
  assert.deepEqual([paper.size, paper.inputSize, paper.variantEpochs, paper.enabled], [384, 384, 3, true]);
  assert.equal(parseConfig({}).images.size, 64);
  assert.equal(parseConfig({ images: { enabled: false } }).images.enabled, false);
  assert.throws(() => parseConfig({ images: { profile: 'gpu' } }), /images\.profile must be "cpu" or "paper"/);
  assert.throws(() => parseConfig({ images: { variant_folds: 1 } }), /images\.variant_folds must be an integer >= 2/);
  assert.throws(() => parseConfig({ images: { sizes: 64 } }), /images: unknown key "sizes"/);
});
